# How long this machine's file system takes to create and rename as many small files as
# `hardway bench pki --workers 100` writes (351): the floor every tool pays, hardway or cfssljson.
# Usage: python3 bench/file-creation-floor.py [directory]   (default: a fresh directory under /tmp)
import os, shutil, sys, tempfile, time

root = tempfile.mkdtemp(dir=sys.argv[1] if len(sys.argv) > 1 else None)
try:
    os.sync()
    start = time.time()
    for i in range(351):
        fd = os.open(f"{root}/.tmp{i}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, b"x" * 900)
        os.close(fd)
    for i in range(351):
        os.rename(f"{root}/.tmp{i}", f"{root}/f{i}")
    print("351 files created and renamed in %.1f ms (%s)" % ((time.time() - start) * 1000, root))
finally:
    shutil.rmtree(root)
