"""The one WsgiDAV application of the process, configured for the DAM.

Sign-in happens before it (dav.views, with the DAM's tokens and throttle), so its stack is only the error
printer (DAVError -> status and body) and the request resolver. XML bodies reach it only after the view
has parsed them with defusedxml, which refuses any DTD (entity expansion, external entities).
"""
from __future__ import annotations

import threading
from typing import Any

MOUNT = "/dav"

_app: Any = None
_lock = threading.Lock()


def dav_app() -> Any:
    global _app
    if _app is None:
        with _lock:
            if _app is None:
                _app = _build()
    return _app


def _build() -> Any:
    from wsgidav.error_printer import ErrorPrinter
    from wsgidav.request_resolver import RequestResolver
    from wsgidav.wsgidav_app import WsgiDAVApp

    from dav.locks import DamLockManager, DbLockStorage
    from dav.provider import DamProvider

    provider = DamProvider()
    storage = DbLockStorage()
    app = WsgiDAVApp({
        "provider_mapping": {MOUNT: provider},
        "middleware_stack": [ErrorPrinter, RequestResolver],
        "lock_storage": storage,
        "property_manager": None,
        "verbose": 1,
        "logging": {"enable": False},
        "suppress_version_info": True,
        "add_header_MS_Author_Via": True,
        # Windows sends Win32 timestamps after every copy and gives up when they are refused; they are
        # accepted and not kept (an asset's dates are its versions').
        "hotfixes": {"emulate_win32_lastmod": True, "re_encode_path_info": True, "unquote_path_info": False},
        "block_size": 1024 * 1024,
        "dir_browser": {"enable": False},
    })
    manager = DamLockManager(storage)
    manager.provider = provider
    app.lock_manager = manager
    provider.set_lock_manager(manager)
    return app
