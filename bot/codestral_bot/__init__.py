"""codestral-bot: fills stubs in git changes with Codestral FIM and reviews them."""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
