"""A real browser plays a signed video_url (issue 3).

Headless Chromium (Debian's `chromium`) loads a local page, served by this
script on its own ephemeral port, holding a <video> whose src is the signed
`video_url` of an uploaded H.264 clip — no Authorization header anywhere.
The page plays the clip, then seeks to the middle, and reports what its media
element saw (duration, readyState, currentTime after playing and after the
seek) back to this script with a beacon request. The test asserts that
metadata loaded, playback advanced and the seek landed near its target; the
server's access log shows the 206 Partial Content answers Chromium's Range
requests got. Skips with a message when chromium is absent."""
import http.server
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kz  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SKIP = kz.skip_unless_tools() or (None if CHROMIUM else "chromium not installed")
if SKIP:
    print("test_browser: skipped: %s" % SKIP)

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>pending</title></head>
<body>
<video id="v" muted playsinline preload="auto" src="%(src)s"></video>
<script>
const v = document.getElementById('v');
const out = {events: []};
let played = false, seeking = false;
function report(extra) {
  Object.assign(out, extra);
  fetch('/result?d=' + encodeURIComponent(JSON.stringify(out)));
}
['loadedmetadata', 'canplay', 'playing', 'seeked', 'error'].forEach(function (ev) {
  v.addEventListener(ev, function () { out.events.push(ev); });
});
v.addEventListener('error', function () {
  report({error: v.error ? v.error.code + ' ' + v.error.message : 'unknown'});
});
v.addEventListener('loadedmetadata', function () {
  out.duration = v.duration;
  out.width = v.videoWidth;
  out.height = v.videoHeight;
  v.play().catch(function (e) { report({error: 'play: ' + e}); });
});
v.addEventListener('timeupdate', function () {
  if (!played && v.currentTime >= 0.5) {
    played = true;
    out.played_to = v.currentTime;
    v.pause();
    seeking = true;
    out.seek_target = v.duration / 2;
    v.currentTime = out.seek_target;
  }
});
v.addEventListener('seeked', function () {
  if (!seeking) return;
  seeking = false;
  report({seeked_to: v.currentTime, ready_state: v.readyState, done: true});
});
setTimeout(function () { report({timeout: true, current: v.currentTime,
                                 ready_state: v.readyState}); }, 90000);
</script></body></html>
"""


class PageServer(http.server.ThreadingHTTPServer):
    daemon_threads = True


def make_handler(page, results):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server API
            u = urllib.parse.urlsplit(self.path)
            if u.path == "/result":
                results.put(json.loads(urllib.parse.parse_qs(u.query)["d"][0]))
                body, ctype = b"{}", "application/json"
            elif u.path == "/":
                body, ctype = page.encode(), "text/html; charset=utf-8"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


@unittest.skipIf(SKIP, SKIP or "")
class Browser(unittest.TestCase):
    def test_video_plays_and_seeks(self):
        tmp = tempfile.mkdtemp(prefix="kz-browser-")
        srv = kz.Server(workers=0).start()
        page_srv = chrome = None
        try:
            # 6 s, a key frame every second so a seek lands exactly on one. The moov
            # box stays at the END of the file (no +faststart): unless the whole file
            # has arrived, the browser asks for it with a Range at a non-zero offset.
            clip = os.path.join(tmp, "clip.mp4")
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                            "testsrc2=duration=6:size=320x240:rate=25", "-pix_fmt", "yuv420p",
                            "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", clip],
                           check=True)
            with open(clip, "rb") as f:
                head = f.read(64)
            self.assertIn(b"mdat", head)
            self.assertNotIn(b"moov", head)
            st, body = kz.upload(srv.url("/running/sessions/"), srv.admin_key, clip)
            self.assertEqual(st, 200, body)
            sid = body["session_id"]
            st, doc = kz.request("POST", srv.url("/session-management/sessions/by-ids/"),
                                 key=srv.admin_key, body={"session_ids": [sid]})
            self.assertEqual(st, 200, doc)
            src = doc["sessions"][sid]["video_url"]
            self.assertTrue(src.startswith("http://127.0.0.1:%d/media/" % srv.port), src)
            results = queue.Queue()
            page_srv = PageServer(("127.0.0.1", 0),
                                  make_handler(PAGE % {"src": src}, results))
            threading.Thread(target=page_srv.serve_forever, daemon=True).start()
            chrome_log = open(os.path.join(tmp, "chromium.log"), "w")
            profile = os.path.join(tmp, "profile")
            os.mkdir(profile)
            chrome = subprocess.Popen(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 "--autoplay-policy=no-user-gesture-required", "--mute-audio",
                 "--user-data-dir=" + profile, "--remote-debugging-port=0",
                 "http://127.0.0.1:%d/" % page_srv.server_address[1]],
                stdout=subprocess.DEVNULL, stderr=chrome_log)
            try:
                res = results.get(timeout=100)
            except queue.Empty:
                self.fail("the page never reported")
            print("page reported:", json.dumps(res))
            self.assertTrue(res.get("done"), res)
            self.assertNotIn("error", res)
            self.assertAlmostEqual(res["duration"], 6.0, delta=0.1)
            self.assertEqual((res["width"], res["height"]), (320, 240))
            self.assertGreaterEqual(res["played_to"], 0.5)  # playback advanced
            self.assertAlmostEqual(res["seeked_to"], res["seek_target"], delta=0.1)
            self.assertGreaterEqual(res["ready_state"], 1)
            # the browser fetched the video with Range requests, answered 206
            log = srv.read_log()
            media = [line for line in log.splitlines() if "/media/%s/" % sid in line
                     and " -> " in line]
            print("server access lines for the video:", *media, sep="\n  ")
            # Chromium asks with `Range: bytes=0-` first and treats the resource as
            # seekable only on a 206; whether it needs a second range (at the moov's
            # offset) depends on how much of this small file had arrived already.
            self.assertGreaterEqual(sum(line.endswith("-> 206") for line in media), 1, media)
            self.assertFalse(any(line.endswith("-> 200") for line in media), media)
            self.assertFalse(any(line.endswith("-> 403") for line in media), media)
        finally:
            if chrome:
                chrome.terminate()
                try:
                    chrome.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    chrome.kill()
                    chrome.wait()
                chrome_log.close()
            if page_srv:
                page_srv.shutdown()
                page_srv.server_close()
            code = srv.stop()
            srv.cleanup()
            shutil.rmtree(tmp, ignore_errors=True)
        self.assertEqual(code, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
