# Excerpt from prediction-market-agent-tooling 0.69.40, prediction_market_agent_tooling/markets/seer/seer.py (LGPL-3.0 licence)
class SeerAgentMarket(AgentMarket):
    @staticmethod
    def get_resolved_bets_made_since(
        better_address: ChecksumAddress,
        start_time: DatetimeUTC,
        end_time: DatetimeUTC | None,
    ) -> list[ResolvedBet]:
        # TODO: https://github.com/gnosis/prediction-market-agent-tooling/issues/841
        raise NotImplementedError()
