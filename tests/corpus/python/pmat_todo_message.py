# Excerpt from prediction-market-agent-tooling 0.69.40, prediction_market_agent_tooling/jobs/omen/omen_jobs.py (LGPL-3.0 licence)
class OmenJobAgentMarket(OmenAgentMarket, JobAgentMarket):
    def get_job_trade(self, max_bond: USD, result: str) -> Trade:
        raise NotImplementedError("TODO: Refactor to avoid circular imports.")
