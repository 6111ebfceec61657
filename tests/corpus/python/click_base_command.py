# Excerpt from click 8.1.7, src/click/core.py (BSD-3-Clause licence)
class BaseCommand:
    def get_usage(self, ctx: Context) -> str:
        raise NotImplementedError("Base commands cannot get usage")

    def get_help(self, ctx: Context) -> str:
        raise NotImplementedError("Base commands cannot get help")
