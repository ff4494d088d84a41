from grok_lsp.cli import main

raise SystemExit(main())
