"""Opening and writing files inside a run folder without following symbolic links.

Run folders travel: one received from someone else may hold `.lock -> ~/.bashrc` or
`report_samples -> ~`. Every file the project opens for writing in a run folder goes through here:
`open_nofollow` refuses a link in the last path component (O_NOFOLLOW), `atomic_write` writes a
fresh temporary file (O_EXCL, so a planted `.x.tmp` link is replaced, never written through) and
renames it over the target (a rename replaces a link, it does not write through it), and
`refuse_links` names every link among the entries the project reads or writes, so a folder that
holds one is refused in one line before anything is read.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from evaluator.errors import StoreError

_FLAGS = {
    "a": os.O_WRONLY | os.O_APPEND | os.O_CREAT,
    "a+": os.O_RDWR | os.O_APPEND | os.O_CREAT,
    "r+": os.O_RDWR | os.O_CREAT,
    "w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
}
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def link_refusal(path: Path) -> str:
    """The one-line refusal for a symbolic link found where a run folder's own file belongs."""
    return (f"{path} is a symbolic link; a run folder's files must be plain files (a received folder could "
            "point them anywhere): remove the link, or copy the run with `cp -rL` if you made it yourself")


def open_nofollow(path: Path, mode: str, *, binary: bool = False) -> IO[Any]:
    """`path` opened with `mode` ("a", "a+", "r+", "w"), refusing a symbolic link (StoreError). Text
    handles are UTF-8. Other OSErrors (a full disk, a read-only folder) are raised as they are."""
    try:
        fd = os.open(path, _FLAGS[mode] | _NOFOLLOW | _CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP or (exc.errno in (errno.EMLINK, errno.ENOTDIR) and path.is_symlink()):
            raise StoreError(link_refusal(path)) from None
        raise
    py_mode = {"a": "a", "a+": "a+", "r+": "r+", "w": "w"}[mode] + ("b" if binary else "")
    return os.fdopen(fd, py_mode) if binary else os.fdopen(fd, py_mode, encoding="utf-8")


def atomic_write(path: Path, text: str) -> None:
    """Write `text` to `path` atomically: a fresh temporary file beside it (never through a link left
    at the temporary name), fsynced, then renamed over `path`. On failure the temporary file is
    removed and the OSError raised as it was (a full disk keeps its "No space left on device"). A link
    at `path` itself is replaced by the new file, never written through (a rename does not follow it);
    run folders refuse such links before this point (`refuse_links`)."""
    tmp = path.with_name(f".{path.name}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()  # a leftover of a crash, or a planted link: removed, not followed
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def refuse_links(directory: Path, names: Iterable[str], subfolders: Iterable[str] = ()) -> None:
    """StoreError naming the first symbolic link among `directory`/`names` and among the entries of
    `directory`/`subfolders` (a subfolder that is itself a link is named too)."""
    for name in (*names, *subfolders):
        if (directory / name).is_symlink():
            raise StoreError(link_refusal(directory / name))
    for name in subfolders:
        folder = directory / name
        if folder.is_dir():
            for entry in sorted(folder.iterdir()):
                if entry.is_symlink():
                    raise StoreError(link_refusal(entry))
