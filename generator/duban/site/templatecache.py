"""The site's templates, compiled once and kept in the cache folder for the builds that follow.

Compiling the templates a build uses took about 0.1 s of every build (a warm build of 10,000 items takes
about 1.5 s). Jinja keeps each template's compiled code with a checksum of its source and Python's bytecode
version, and compiles it again when either differs. The code also depends on what Jinja does not see: duban's
code generator and extensions, and the language, whose translations are written into the code
(site.render.InlineConstants); the key of each template holds the language and duban's code key
(site.incremental.code_key: its Python code, templates and catalogs). A cache that cannot be read or written
is no error: the template is compiled as if it were not there.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from jinja2 import Environment
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from duban.site.incremental import code_key

FOLDER = "templates"  # in the cache folder (duban.cache), next to the build manifests


class TemplateCache(FileSystemBytecodeCache):
    """Compiled templates in a folder of their own for each language and version of duban's code; the
    folders of other versions are removed when this one is made."""

    def __init__(self, home: Path, language: str) -> None:
        self.folder = home / f"{language}-{code_key().hex()[:20]}"
        super().__init__(str(self.folder))

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # damaged in any way (its checksum is read with pickle): compiled again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # a read-only checkout, a full disk
            if not self.folder.is_dir():
                self._make_folder()
            super().dump_bytecode(bucket)

    def _make_folder(self) -> None:
        home = self.folder.parent
        if home.is_dir():
            for other in home.iterdir():
                if other.is_dir():
                    shutil.rmtree(other, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)


def keep_templates(environment: Environment, cache_home: Path | None, language: str) -> None:
    """Templates loaded from now on come from the cache folder `cache_home` when compiled there before (none
    when the cache is off). Set before every build: a process builds again and again (`duban serve`)."""
    environment.bytecode_cache = (
        TemplateCache(cache_home / FOLDER, language) if cache_home is not None else None
    )
