"""Entry points: serve, demo, simulate, ask, models, doctor."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from grok_lsp import __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grok-lsp",
        description="xAI's Grok in every editor, over the Language Server Protocol.",
    )
    parser.add_argument("--version", action="version", version=f"grok-lsp {__version__}")
    parser.add_argument("--log-file", help="write logs here instead of stderr")
    parser.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    parser.add_argument("--stdio", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="language server over stdio (the default)")
    serve.add_argument("--tcp", action="store_true", help="serve over TCP instead of stdio")
    # Many clients (vscode-languageclient among them) append --stdio: it is the default anyway.
    serve.add_argument("--stdio", action="store_true", help=argparse.SUPPRESS)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=2087)
    commands.add_parser("demo", help="a headless end-to-end session against the simulator")
    simulate = commands.add_parser("simulate", help="run the Grok API simulator")
    simulate.add_argument("--host", default="127.0.0.1")
    simulate.add_argument("--port", type=int, default=0)
    ask = commands.add_parser("ask", help="ask about a file or lines of it, streamed to stdout")
    ask.add_argument("target", metavar="PATH[:LINE[-LINE]]")
    ask.add_argument("question")
    commands.add_parser("models", help="list the models the key can use")
    commands.add_parser("doctor", help="check settings, key, base URL and model")
    return parser


def _setup_logging(level: str, log_file: str | None) -> logging.Filter:
    from grok_lsp.server.secrets import Secrets

    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8")
        if log_file
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    secrets = Secrets()
    handler.addFilter(secrets)
    from pygls.exceptions import JsonRpcRequestCancelled

    def quiet_cancellations(record: logging.LogRecord) -> bool:
        # pygls logs every cancelled request with a traceback, and warns of cancels that came
        # after the answer (editors send those routinely); neither is a problem.
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, JsonRpcRequestCancelled):
            return False
        if record.levelno == logging.WARNING and record.name.startswith("pygls"):
            # Imported here: lsprotocol's classes load after `serve` pauses the collector.
            from grok_lsp.server.pygls_overrides import is_late_cancel_log

            return not is_late_cancel_log(record)
        return True

    handler.addFilter(quiet_cancellations)
    logging.basicConfig(level=level, handlers=[handler], force=True)
    return secrets


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    secrets = _setup_logging(args.log_level, args.log_file)
    command = args.command or "serve"
    if command == "serve":
        import gc

        # Startup builds ~600 attrs classes (lsprotocol); collecting meanwhile finds nothing.
        gc.disable()
        from grok_lsp.server.secrets import Secrets
        from grok_lsp.server.wiring import create_server

        assert isinstance(secrets, Secrets)
        server = create_server(secrets)
        gc.freeze()  # the startup objects live forever: keep them out of every collection
        gc.enable()
        if getattr(args, "tcp", False):
            server.start_tcp(args.host, args.port)  # only `serve --tcp` sets these
        else:
            server.start_io()
        return 0
    if command == "simulate":
        from grok_lsp.simulator.runner import run_foreground

        run_foreground(args.host, args.port)
        return 0
    if command == "demo":
        from grok_lsp.demo import run_demo

        return asyncio.run(run_demo())
    from grok_lsp import tools

    if command == "ask":
        return asyncio.run(tools.ask(args.target, args.question))
    if command == "models":
        return asyncio.run(tools.models())
    return asyncio.run(tools.doctor())
