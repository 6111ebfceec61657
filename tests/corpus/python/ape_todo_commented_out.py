# Excerpt from eth-ape 0.8.52, src/ape_cache/query.py (Apache-2.0 licence)
class CacheQueryProvider(QueryAPI):
    @_compute_estimate.register
    def _compute_estimate_block_query(
        self,
        query: BlockQuery,
        result: CursorResult,
    ) -> int | None:
        if result.scalar() == (1 + query.stop_block - query.start_block) // query.step:
            # NOTE: Assume 200 msec to get data from database
            return 200

        # Can't handle this query
        # TODO: Allow partial queries
        return None

    @_compute_estimate.register
    def _compute_estimate_block_transaction_query(
        self,
        query: BlockTransactionQuery,
        result: CursorResult,
    ) -> int | None:
        # TODO: Update `transactions` table schema so this query functions properly
        # Uncomment below after https://github.com/ApeWorX/ape/issues/994
        # if result.scalar() > 0:  # type: ignore
        #    # NOTE: Assume 200 msec to get data from database
        #    return 200

        # Can't handle this query
        return None
