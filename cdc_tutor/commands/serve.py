"""`cdc-tutor serve`: the tutor in a browser, through textual-serve, for a student whose terminal or
SSH client cannot show it (or who prefers a tab: `ssh -L 8765:127.0.0.1:8765 lab-vm` works too).

Every browser tab runs its own tutor process with the same settings as this command. Security on a
shared VM: it binds 127.0.0.1 unless --host says otherwise (then it warns), and every request needs
this run's token. The printed URL carries it as `?token=`; the page then keeps it in an HttpOnly,
SameSite=Strict cookie that its websocket and static files send, so another user of the machine,
or another site open in the same browser, gets 403. The websocket also checks its Origin.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import secrets
import shlex
import signal
import sys
from typing import Any
from urllib.parse import urlsplit

from cdc_tutor import strings

TOKEN_COOKIE = "cdc_tutor_token"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help=strings.SERVE_HELP_HOST)
    parser.add_argument("--port", type=int, default=8765, help=strings.SERVE_HELP_PORT)
    parser.add_argument("--public-url", metavar="URL", help=strings.SERVE_HELP_PUBLIC_URL)


def tutor_command(settings: Any) -> str:
    """The command each browser tab runs: this tutor, with the same lessons, data and broker."""
    command = [sys.executable, "-m", "cdc_tutor", "--data-dir", str(settings.data_dir)]
    command += ["--lessons", str(settings.lessons_dir)]
    if settings.bootstrap_servers:
        command += ["--bootstrap-servers", settings.bootstrap_servers]
    return shlex.join(command)


def token_middleware(token: str) -> Any:
    """aiohttp middleware: 403 without the token (query or cookie); the cookie set from the query."""
    from aiohttp import web

    @web.middleware
    async def require_token(request: web.Request, handler: Any) -> web.StreamResponse:
        offered = request.query.get("token") or request.cookies.get(TOKEN_COOKIE, "")
        if not hmac.compare_digest(offered.encode(), token.encode()):
            return web.Response(status=403, text=strings.SERVE_FORBIDDEN)
        origin = request.headers.get("Origin")
        if request.path == "/ws" and origin and urlsplit(origin).netloc != request.host:
            return web.Response(status=403, text=strings.SERVE_FORBIDDEN)
        response = await handler(request)
        if "token" in request.query and not response.prepared:
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict", path="/")
        return response

    return require_token


def make_server(command: str, host: str, port: int, token: str, public_url: str | None = None) -> Any:
    """A textual-serve Server for `command` that asks every request for `token`."""
    from textual_serve.server import Server

    class TokenServer(Server):
        async def _make_app(self) -> Any:
            app = await super()._make_app()
            app.middlewares.append(token_middleware(token))
            return app

        async def on_startup(self, app: Any) -> None:
            pass  # textual-serve prints its logo and a link without the token here; serve() says more

        def serve(self, debug: bool = False) -> None:
            asyncio.run(self._serve_until_stopped())

        async def _serve_until_stopped(self) -> None:
            """Like textual-serve's serve(), but the link is printed once the port is bound
            (aiohttp's on_startup runs before), so whoever reads it can connect at once."""
            from aiohttp import web

            runner = web.AppRunner(await self._make_app(), handle_signals=False)
            await runner.setup()
            await web.TCPSite(runner, self.host, self.port).start()
            print(strings.SERVE_READY.format(url=f"{self.public_url}/?token={token}"), flush=True)
            stop = asyncio.Event()
            for signal_number in (signal.SIGINT, signal.SIGTERM):
                asyncio.get_running_loop().add_signal_handler(signal_number, stop.set)
            try:
                await stop.wait()
            finally:
                await runner.cleanup()  # on_shutdown: every tab's tutor process is closed

    return TokenServer(command, host=host, port=port, title="cdc-tutor", public_url=public_url)


def run(args: argparse.Namespace, settings: Any) -> int:
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        print(strings.SERVE_MISSING, file=sys.stderr)
        return 1
    if args.host not in LOOPBACK:
        print(strings.SERVE_NOT_LOOPBACK.format(host=args.host), file=sys.stderr)
    token = secrets.token_urlsafe(24)
    make_server(tutor_command(settings), args.host, args.port, token, args.public_url).serve()
    return 0
