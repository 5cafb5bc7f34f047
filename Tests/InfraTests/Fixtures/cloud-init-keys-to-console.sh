#!/bin/sh
# Makes cloud-init-keys-to-console.txt: the bytes Debian bookworm's cloud-init (22.4.2-1+deb12u4)
# writes to /dev/console when its keys_to_console module runs on fresh host keys, as every EC2
# instance of a cloud-init image does on first boot. Nothing here is written by hand: ssh-keygen -A
# makes the host keys (rsa, ecdsa, ed25519: what Debian's sshd makes), cloud-init's own module and
# its helper, /usr/lib/cloud-init/write-ssh-key-fingerprints, print them, and the module's
# util.multi_log writes them to /dev/console, which here is a plain file.
#
# Run as root on Debian bookworm: ./cloud-init-keys-to-console.sh [output]. It was run twice:
# cloud-init-keys-to-console-again.txt is the second run, new keys, as a machine prints them when
# cloud-init runs anew on it (`cloud-init clean --reboot`). The packages are only
# downloaded and unpacked in a scratch directory (apt-get download, dpkg-deb -x), never installed;
# /etc/ssh, /dev and the host name are private to a mount and UTS namespace, so the box's own host
# keys and console are never touched. The machine is named like an EC2 instance of the aws example
# (ip-172-31-0-10), which is the comment on each key.
set -eu
out=$(realpath "${1:-cloud-init-keys-to-console.txt}")
work=$(mktemp -d)
chown _apt "$work"   # apt-get download fetches as _apt, into this directory
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download -q cloud-init python3-configobj python3-requests python3-urllib3 python3-idna python3-certifi \
  python3-chardet python3-charset-normalizer python3-six python3-jsonpatch python3-json-pointer python3-jinja2 \
  python3-markupsafe python3-jsonschema python3-attr python3-pyrsistent python3-oauthlib python3-netifaces >/dev/null
for deb in *.deb; do dpkg-deb -x "$deb" root; done
mkdir etc-ssh
cat > keys_to_console.py <<'PY'
# cloud-init's keys_to_console module as the final stage runs it: default configuration (keys of
# every type but ssh-dss), the helper found under the distro's lib directory.
import logging, os
from cloudinit.config import cc_keys_to_console

class Distro:
    usr_lib_exec = os.path.abspath("root/usr/lib")

class Cloud:
    distro = Distro()

cc_keys_to_console.handle("keys_to_console", {}, Cloud(), logging.getLogger(), [])
PY
cat > syslog.py <<'PY'
# A /dev/log that accepts and drops datagrams: the helper logs its fingerprint lines with
# `logger -s`, which also prints them (the console's copy) and would complain without a syslog.
import os, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open("/dev/log.ready", "w").close()
while True:
    s.recv(65536)
PY
unshare --mount --uts --propagation private sh -eu -c '
  hostname ip-172-31-0-10
  mount --bind etc-ssh /etc/ssh
  mount -t tmpfs -o mode=755 dev /dev
  mknod -m 666 /dev/null c 1 3
  mknod -m 666 /dev/random c 1 8
  mknod -m 666 /dev/urandom c 1 9
  : > /dev/console
  python3 syslog.py & syslog=$!
  while [ ! -e /dev/log.ready ]; do sleep 0.05; done
  ssh-keygen -A >/dev/null
  PYTHONPATH=root/usr/lib/python3/dist-packages /usr/bin/python3 keys_to_console.py
  kill $syslog
  cp /dev/console console.txt
'
cp console.txt "$out"
echo "wrote $out"
