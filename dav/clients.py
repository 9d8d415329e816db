"""Who is calling (the desktop app named in the User-Agent) and which names are its temporary files."""
from __future__ import annotations

import re

# Checked in order: the first product token found names the app. Office and Adobe apps speak WebDAV through
# the operating system's redirector on Windows and through WebDAVFS on macOS, so their own names come first.
KNOWN_CLIENTS = (
    ("photoshop", "Photoshop"),
    ("illustrator", "Illustrator"),
    ("indesign", "InDesign"),
    ("microsoft office word", "Word"),
    ("word", "Word"),
    ("excel", "Excel"),
    ("powerpoint", "PowerPoint"),
    ("microsoft office", "Microsoft Office"),
    ("libreoffice", "LibreOffice"),
    ("rclone", "rclone"),
    ("cadaver", "cadaver"),
    ("davfs2", "davfs2"),
    ("litmus", "litmus"),
    ("webdavfs", "Finder"),
    ("microsoft-webdav-miniredir", "Windows Explorer"),
    ("gvfs", "GNOME Files"),
    ("kio", "KDE Dolphin"),
    ("cyberduck", "Cyberduck"),
    ("winscp", "WinSCP"),
    ("python-httpx", "a Python script"),
)
_PRODUCT = re.compile(r"^\s*([^\s/;()]+)")


def client_name(user_agent: str) -> str:
    """The app to name in "checked out in Photoshop" and "Saved from Word": a known one, else the raw
    product token, else "a WebDAV client"."""
    lowered = (user_agent or "").lower()
    for needle, name in KNOWN_CLIENTS:
        if needle in lowered:
            return name
    match = _PRODUCT.match(user_agent or "")
    return match.group(1)[:60] if match else "a WebDAV client"


# The temporary files desktop apps write beside the file they save (docs/dav.md lists whose is whose):
#   ~$name.docx          Office's owner file;   ~WRL0001.tmp, ~WRD0000.tmp  Word's save dance
#   3A1F0B2C             Excel's new copy (eight hex digits, no extension), then name.tmp
#   ppt1A2B.tmp, lu123.tmp, psB3C4.tmp and any *.tmp   PowerPoint, LibreOffice, Photoshop and others
#   ._name, .DS_Store    macOS's AppleDouble files and folder settings (any name starting with a dot, which
#                        the DAM never keeps as a file name anyway: ingest strips a leading dot)
#   .~lock.name#         LibreOffice's lock file
#   name.psd~, name~     backups made before a save; name.sb-1a2b3c4d-XyZ  macOS's safe-save copies
SCRATCH_PATTERNS = (
    re.compile(r"^[.~]"),
    re.compile(r"\.tmp$", re.IGNORECASE),
    re.compile(r"~$"),
    re.compile(r"^[0-9A-F]{8}$"),
    re.compile(r"\.sb-[0-9a-f]{8}-[A-Za-z0-9]{6}$"),
    re.compile(r"(?i)^thumbs\.db$|^desktop\.ini$"),
)


def is_scratch_name(name: str) -> bool:
    return any(pattern.search(name) for pattern in SCRATCH_PATTERNS)
