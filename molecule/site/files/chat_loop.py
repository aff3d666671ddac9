"""A bounded client loop: chat completions for one model through the gateway,
one after another, until a stop file appears, a time limit or a request
limit is reached. No client retries. Writes the counts as JSON.

usage: chat_loop.py URL KEY_FILE MODEL STOP_FILE RESULT_FILE MAX_SECONDS MAX_REQUESTS
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

url, key_file, model, stop_file, result_file = sys.argv[1:6]
with open(key_file) as key_in:
    key = key_in.read().strip()
max_seconds, max_requests = float(sys.argv[6]), int(sys.argv[7])
body = json.dumps({"model": model, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}).encode()
ok, failed, errors, start = 0, 0, [], time.time()
while ok + failed < max_requests and time.time() - start < max_seconds and not os.path.exists(stop_file):
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Authorization": "Bearer " + key, "Content-Type": "application/json"})
    began = time.time()
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            if json.load(answer).get("object") == "chat.completion":
                ok += 1
            else:
                failed += 1
                errors.append({"at": round(began - start, 1), "error": "not a chat.completion"})
    except (urllib.error.URLError, OSError, ValueError) as error:
        failed += 1
        detail = error.read().decode(errors="replace")[:300] if isinstance(error, urllib.error.HTTPError) else str(error)
        errors.append({"at": round(began - start, 1), "error": detail})
    time.sleep(0.2)
with open(result_file, "w") as out:
    json.dump({"ok": ok, "failed": failed, "seconds": round(time.time() - start, 1),
               "stopped_by": "stop file" if os.path.exists(stop_file) else "limit", "errors": errors[:20]}, out)
