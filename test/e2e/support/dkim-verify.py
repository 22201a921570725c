"""Verifies a message's DKIM signature with dkimpy (Debian's python3-dkim), an
implementation independent of Rspamd, against the TXT record given on the command line
instead of DNS: `python3 dkim-verify.py MESSAGE RECORD_NAME RECORD_VALUE`."""
import sys

import dkim

message_path, name, value = sys.argv[1], sys.argv[2], sys.argv[3]
with open(message_path, "rb") as f:
    message = f.read()


def dnsfunc(qname, timeout=5):
    wanted = name.rstrip(".") + "."
    got = qname.decode() if isinstance(qname, bytes) else qname
    return value.encode() if got.rstrip(".") + "." == wanted else None


ok = dkim.verify(message, dnsfunc=dnsfunc)
print("pass" if ok else "fail")
sys.exit(0 if ok else 1)
