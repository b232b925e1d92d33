#!/usr/bin/env python3
"""Disassembles HotSpot's PrintAssembly output where no hsdis was loaded (hex dumps of the code).

usage: hexasm.py asm.txt [OUTDIR]   (check.sh's asm part writes asm.txt on the device machine)
Writes one objdump listing per compiled method, named after it, into OUTDIR (default: asm.txt's
folder) and prints their names. Needs objdump (binutils) and an x86-64 dump.
"""
import pathlib
import re
import subprocess
import sys
import tempfile

HEADER = re.compile(r"^Compiled method \((c1|c2)\)\s+\d+\s+(\d+)\s.*?(\S+::\S+)")
CODE = re.compile(r"^\s*0x([0-9a-f]+): ((?:[0-9a-f]{2,8}\s*\|?\s*)+)$")


def methods(lines):
    """Yields (tier, compile id, name, start address, code bytes) for each compiled method."""
    current = None
    for line in lines:
        header = HEADER.match(line)
        if header:
            if current and current[4]:
                yield current
            current = [header.group(1), header.group(2), header.group(3), None, bytearray()]
            continue
        code = CODE.match(line)
        if current is None or not code:
            continue
        address = int(code.group(1), 16)
        if current[3] is None:
            current[3] = address
        expected = current[3] + len(current[4])
        if address != expected:
            if address < expected:
                continue  # a comment line repeats an address already read
            current[4].extend(b"\x00" * (address - expected))
        current[4].extend(bytes.fromhex(code.group(2).replace("|", "").replace(" ", "")))
    if current and current[4]:
        yield current


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    source = pathlib.Path(sys.argv[1])
    target = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else source.parent
    target.mkdir(parents=True, exist_ok=True)
    for tier, compile_id, name, start, code in methods(source.read_text(errors="replace").splitlines()):
        with tempfile.NamedTemporaryFile(suffix=".bin") as binary:
            binary.write(code)
            binary.flush()
            listing = subprocess.run(["objdump", "-D", "-b", "binary", "-m", "i386:x86-64",
                                      f"--adjust-vma={start:#x}", binary.name],
                                     check=True, capture_output=True, text=True).stdout
        out = target / f"{name.replace('::', '.').split('.')[-1]}-{tier}-{compile_id}.asm"
        out.write_text(listing)
        print(out, len(code), "bytes")


if __name__ == "__main__":
    main()
