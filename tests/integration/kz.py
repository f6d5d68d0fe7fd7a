"""kz.py — shared helpers for kinalyze integration tests (Python 3 stdlib only).

Start the REAL binary on an ephemeral port with a temporary data directory,
talk to it with the `curl` binary, generate small test videos with the
`ffmpeg` binary. Used by every tests/integration/test_*.py script.

    srv = kz.Server(workers=1).start()      # srv.admin_key, srv.port, srv.data_dir
    st, body = kz.request("GET", srv.url("/user-management/users/"), key=srv.admin_key)
    st, body = kz.upload(srv.url("/jumping/sessions/"), srv.admin_key, video=path,
                         fields={"session_name": "x"})
    srv.stop()                               # SIGTERM, waits, returns the exit code

Environment: KINALYZE_BIN (path of the kinalyze binary; meson sets it).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

BIN = os.environ.get("KINALYZE_BIN", "build/src/cli/kinalyze")
KEY_RE = re.compile(r"admin API key \(shown once[^)]*\): (\S+)")
LISTEN_RE = re.compile(r"listening on http://([^:\s]+):(\d+)")


def skip_unless_tools(testcase_cls=None):
    """Return a reason string when curl/ffmpeg/the binary are missing, else None."""
    for tool in ("curl", "ffmpeg"):
        if not shutil.which(tool):
            return "%s not installed" % tool
    if not os.path.exists(BIN):
        return "kinalyze binary not found at %s" % BIN
    return None


class Server:
    """One `kinalyze serve` process on 127.0.0.1:0 with its own data directory."""

    def __init__(self, data_dir=None, workers=1, extra=(), lease_s=2, env=None):
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="kz-it-")
        self.workers = workers
        self.extra = list(extra)
        self.lease_s = lease_s
        self.env = env
        self.proc = None
        self.port = None
        self.admin_key = None
        self.stdout_lines = []
        self.log_path = os.path.join(self.data_dir, "server.log")

    def start(self, timeout=60):
        args = [BIN, "serve", "--data-dir", self.data_dir, "--listen", "127.0.0.1:0",
                "--workers", str(self.workers), "--job-lease-s", str(self.lease_s),
                "--log-level", "debug"] + self.extra
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        if self.env:
            env.update(self.env)
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True,
                                     env=env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("server exited early (code %s); log:\n%s"
                                   % (self.proc.wait(), self.read_log()))
            self.stdout_lines.append(line)
            m = KEY_RE.search(line)
            if m:
                self.admin_key = m.group(1)
            m = LISTEN_RE.search(line)
            if m:
                self.port = int(m.group(2))
                break
        else:
            raise RuntimeError("server did not report its port in time")
        with open(os.path.join(self.data_dir, "server.port")) as f:
            assert int(f.read().strip()) == self.port
        return self

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def read_log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Send `sig` to this server's process (by pid) and wait; returns the exit code."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        self.proc = None
        return code

    def kill(self):
        return self.stop(signal.SIGKILL)

    def cleanup(self):
        if self.proc:
            self.stop()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def admin_create(data_dir, email, name=None, organization=None, units=None):
    """`kinalyze admin create` → {"organization_id", "user_id", "api_key"}."""
    args = [BIN, "admin", "create", "--data-dir", data_dir, "--email", email]
    if name:
        args += ["--name", name]
    if organization:
        args += ["--organization", organization]
    if units:
        args += ["--units", units]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def _curl(args, timeout=120):
    with tempfile.NamedTemporaryFile() as body:
        cmd = ["curl", "-sS", "-o", body.name, "-w", "%{http_code}"] + args
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        status = int(p.stdout.strip() or 0)
        with open(body.name, "rb") as f:
            raw = f.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw


def auth_headers(key, style="api-key"):
    if key is None:
        return []
    if style == "api-key":
        return ["-H", "API-KEY: %s" % key]
    if style == "authorization":
        return ["-H", "Authorization: API-KEY %s" % key]
    if style == "bearer":
        return ["-H", "Authorization: Bearer %s" % key]
    raise ValueError(style)


def request(method, url, key=None, body=None, style="api-key", headers=(), raw=None):
    """One HTTP request; JSON `body` is sent as application/json. Returns (status, json|bytes)."""
    args = ["-X", method] + auth_headers(key, style)
    for h in headers:
        args += ["-H", h]
    if body is not None:
        args += ["-H", "Content-Type: application/json", "--data-binary",
                 json.dumps(body)]
    elif raw is not None:
        args += ["--data-binary", raw]
    return _curl(args + [url])


def upload(url, key, video=None, fields=None, style="api-key", extra=()):
    """multipart/form-data POST with an optional `video` file and text fields."""
    args = ["-X", "POST"] + auth_headers(key, style) + list(extra)
    if video is not None:
        args += ["-F", "video=@%s" % video]
    for k, v in (fields or {}).items():
        args += ["--form-string", "%s=%s" % (k, v)]
    return _curl(args + [url])


def make_video(path, seconds=2, size="320x240", rate=25, rotate=None, audio=False):
    """A testsrc H.264/MP4 clip (optionally with rotation metadata and an audio track)."""
    args = ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi",
            "-i", "testsrc=duration=%s:size=%s:rate=%s" % (seconds, size, rate)]
    if audio:
        args += ["-f", "lavfi", "-i", "sine=duration=%s" % seconds, "-c:a", "aac"]
    args += ["-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast"]
    if rotate is None:
        subprocess.run(args + [path], check=True)
        return path
    # ffmpeg 5 keeps a "rotate" tag as a display matrix only when stream-copying
    plain = path + ".plain.mp4"
    subprocess.run(args + [plain], check=True)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", plain, "-c", "copy",
                    "-metadata:s:v:0", "rotate=%d" % rotate, path], check=True)
    os.unlink(plain)
    return path


def make_audio_only(path, seconds=1):
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "sine=duration=%s" % seconds, "-c:a", "aac", path], check=True)
    return path


def wait_status(srv, session_id, key, want=("completed", "failed"), timeout=300):
    """Poll the status endpoint until the status is in `want`; returns the document."""
    deadline = time.time() + timeout
    doc = None
    while time.time() < deadline:
        st, doc = request("GET", srv.url("/session-management/sessions/%s/status/" % session_id),
                          key=key)
        if st == 200 and doc["status"] in want:
            return doc
        time.sleep(0.1)
    raise AssertionError("session %s did not reach %s: %r" % (session_id, want, doc))


def files_under(path):
    out = []
    for root, _dirs, files in os.walk(path):
        out += [os.path.join(root, f) for f in files]
    return sorted(out)


def assert_processed(tc, doc):
    """The job ran to its end and the media stage succeeded: either completed, or failed
    in a LATER stage (synthetic testsrc clips have no person, so an analysis stage fails
    them permanently). Media facts are present either way."""
    tc.assertIn(doc["status"], ("completed", "failed"), doc)
    tc.assertIsNotNone(doc["media"], doc)
    if doc["status"] == "failed":
        tc.assertFalse((doc["failure_reason"] or "").startswith("media"), doc)


def add_member(srv, admin_key, email, name, role):
    """Create a user of `role` in the admin's organization and an API key acting as it.
    Returns (user_uid, api_key)."""
    st, body = request("POST", srv.url("/user-management/users/"), key=admin_key,
                       body={"email": email, "display_name": name, "role": role})
    assert st == 201, body
    uid = body["userData"]["user_uid"]
    st, body = request("POST", srv.url("/api-management/keys/"), key=admin_key,
                       body={"title": name, "domain": "example.com", "user_id": uid})
    assert st == 201, body
    return uid, body["api_key"]
