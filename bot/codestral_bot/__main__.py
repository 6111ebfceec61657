from __future__ import annotations

from codestral_bot.main import main

raise SystemExit(main())
