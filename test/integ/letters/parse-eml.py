"""Reads one RFC 5322 message on stdin with Python's own e-mail parser and prints, as JSON,
what an independent reader sees: every header (name and decoded value), the parsed
addresses, the MIME parameters, the decoded body and any defects the parser noticed."""
import json
import sys
from email import message_from_bytes, policy

message = message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)


def mailboxes(name):
    header = message[name]
    if header is None:
        return None
    return [[address.display_name, address.addr_spec] for address in header.addresses]


defects = [type(defect).__name__ for defect in message.defects]
for name, value in message.items():
    defects += [type(defect).__name__ for defect in getattr(value, 'defects', ())]

print(json.dumps({
    'headers': [[name, str(value)] for name, value in message.items()],
    'from': mailboxes('From'),
    'to': mailboxes('To'),
    'bcc': mailboxes('Bcc'),
    'contentType': message.get_content_type(),
    'charset': message.get_content_charset(),
    'transferEncoding': message.get('Content-Transfer-Encoding'),
    'body': message.get_content(),
    'defects': defects,
}))
