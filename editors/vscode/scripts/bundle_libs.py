"""Puts grok-lsp and its pure-Python dependencies into bundled/libs for the .vsix.

As Microsoft's Python tools extension template does: the extension then runs them with
the user's own Python (3.10 or newer), so the .vsix works with nothing else installed.
Only pure-Python wheels are taken (tag py3-none-any): one .vsix serves every platform.
pip evaluates environment markers for the Python that runs it, so the dependencies that
other Pythons and platforms need (exceptiongroup on 3.10, colorama on Windows...) are added
after it. A dependency with native code is left out with a note; the server must start
without it.

Usage: python3 scripts/bundle_libs.py   (from editors/vscode; `npm run package` runs it)
"""

from __future__ import annotations

import email.parser
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # pip carries its own copy
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[assignment]
    from pip._vendor.packaging.utils import canonicalize_name  # type: ignore[assignment]

EXTENSION = Path(__file__).resolve().parents[1]
REPOSITORY = EXTENSION.parents[1]
LIBS = EXTENSION / "bundled" / "libs"
# Wheels any Python >= 3.10 on any platform can import.
PURE = [
    "--only-binary=:all:",
    "--implementation",
    "py",
    "--abi",
    "none",
    "--platform",
    "any",
    "--python-version",
    "3.10",
]


def pip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        sys.exit(f"bundle_libs: {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done


# Every Python the extension supports, on every platform VS Code runs on.
ENVIRONMENTS = [
    {
        "python_version": f"3.{minor}",
        "python_full_version": f"3.{minor}.0",
        "sys_platform": sys_platform,
        "platform_system": system,
        "os_name": os_name,
        "platform_machine": machine,
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_version": "",
        "implementation_version": f"3.{minor}.0",
        "extra": "",
    }
    for minor in range(10, 15)
    for sys_platform, system, os_name, machine in [
        ("linux", "Linux", "posix", "x86_64"),
        ("darwin", "Darwin", "posix", "arm64"),
        ("win32", "Windows", "nt", "AMD64"),
    ]
]


def requirements(wheel: Path) -> list[str]:
    """The wheel's required dependencies (extras left out)."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(archive.read(name).decode())
    return [r for r in metadata.get_all("Requires-Dist") or [] if "extra ==" not in r]


def needed_somewhere(requirement: Requirement) -> bool:
    marker = requirement.marker
    return marker is None or any(marker.evaluate(env) for env in ENVIRONMENTS)


def missing_requirements() -> list[str]:
    """What the bundled packages need on some Python or platform and is not bundled yet."""
    bundled = {canonicalize_name(p.name.split("-")[0]) for p in LIBS.glob("*.dist-info")}
    missing: dict[str, str] = {}
    for metadata_file in LIBS.glob("*.dist-info/METADATA"):
        metadata = email.parser.Parser().parsestr(metadata_file.read_text(encoding="utf-8"))
        for line in metadata.get_all("Requires-Dist") or []:
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            if name not in bundled and needed_somewhere(requirement):
                missing.setdefault(name, f"{requirement.name}{requirement.specifier}")
    return sorted(missing.values())


def installable(requirement: str) -> bool:
    """Whether the dependency and everything it needs exist as pure-Python wheels."""
    with tempfile.TemporaryDirectory() as target:
        return (
            pip(
                "install", "--dry-run", "--target", target, *PURE, requirement, check=False
            ).returncode
            == 0
        )


def name_of(requirement: str) -> str:
    return canonicalize_name(Requirement(requirement).name)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        pip("wheel", "--no-deps", "--wheel-dir", scratch, str(REPOSITORY))
        wheel = next(Path(scratch).glob("grok_lsp-*.whl"))
        if LIBS.exists():
            shutil.rmtree(LIBS)
        LIBS.mkdir(parents=True)
        wanted = requirements(wheel)
        pure = [r for r in wanted if installable(r)]
        left_out: set[str] = {name_of(r) for r in wanted if r not in pure}
        pip("install", "--target", str(LIBS), "--no-deps", *PURE, str(wheel))
        if pure:
            pip("install", "--target", str(LIBS), *PURE, *pure)
        while more := [r for r in missing_requirements() if name_of(r) not in left_out]:
            for requirement in more:
                if pip(
                    "install", "--target", str(LIBS), "--no-deps", *PURE, requirement, check=False
                ).returncode:
                    left_out.add(name_of(requirement))
        for name in sorted(left_out):
            print(f"bundle_libs: left out {name} (no pure-Python wheel)", file=sys.stderr)
    # Console scripts point at this machine's Python; the extension runs the module instead.
    shutil.rmtree(LIBS / "bin", ignore_errors=True)
    for cache in LIBS.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    packages = sorted(p.name.split("-")[0] for p in LIBS.glob("*.dist-info"))
    size = sum(f.stat().st_size for f in LIBS.rglob("*") if f.is_file())
    print(
        f"bundle_libs: {len(packages)} packages, {size / 1e6:.1f} MB: {', '.join(packages)}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
