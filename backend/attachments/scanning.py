"""The virus-scan hook: clamd's INSTREAM command, where CLAMD_SOCKET names a daemon.

Off by default (no daemon in the embedded setup). When configured, a file the scanner flags
is refused INFECTED_FILE, and an unreachable scanner refuses the upload (SCANNER_UNAVAILABLE:
the client may retry) rather than letting an unscanned file through.
"""

from __future__ import annotations

import socket
import struct
from typing import IO

from django.conf import settings

from backend.attachments.errors import InfectedFile, ScannerUnavailable

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 30


def _connect(address: str) -> socket.socket:
    if address.startswith("tcp://"):
        host, _, port = address.removeprefix("tcp://").rpartition(":")
        return socket.create_connection((host, int(port)), timeout=TIMEOUT_SECONDS)
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.settimeout(TIMEOUT_SECONDS)
    unix.connect(address)
    return unix


def scan(file: IO[bytes]) -> None:
    """Nothing when no scanner is configured or it finds nothing; else INFECTED_FILE."""
    address = settings.CLAMD_SOCKET
    if not address:
        return
    try:
        with _connect(address) as conn:
            conn.sendall(b"zINSTREAM\0")
            file.seek(0)
            while chunk := file.read(CHUNK):
                conn.sendall(struct.pack("!L", len(chunk)) + chunk)
            conn.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0") and (part := conn.recv(4096)):
                reply += part
    except OSError:
        raise ScannerUnavailable("The virus scanner cannot be reached; try again later.") from None
    answer = reply.rstrip(b"\0").decode("utf-8", "replace")
    if answer.endswith("FOUND"):
        raise InfectedFile("The virus scanner refused the file.", field="file")
    if not answer.endswith("OK"):
        raise ScannerUnavailable("The virus scanner could not scan the file; try again later.")
