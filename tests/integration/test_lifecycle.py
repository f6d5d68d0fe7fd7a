"""Durability of the job queue with the real binary: a server killed with
SIGKILL mid-job finishes that job after a restart (attempt 2), a clean
SIGTERM lets an upload in flight finish, refuses new connections, gives a
running job back without spending an attempt and leaves queued jobs queued;
and first start prints the admin key once."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kz  # noqa: E402

SKIP = kz.skip_unless_tools()


@unittest.skipIf(SKIP, SKIP or "")
class Lifecycle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kz-life-")
        cls.small = kz.make_video(os.path.join(cls.tmp, "small.mp4"), seconds=1)
        # long enough that decoding takes well over the time needed to notice "processing"
        cls.long = kz.make_video(os.path.join(cls.tmp, "long.mp4"), seconds=20,
                                 size="1280x720", rate=30)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kz-life-data-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.cleanup()
        shutil.rmtree(self.dir, ignore_errors=True)

    def server(self, workers):
        s = kz.Server(data_dir=self.dir, workers=workers, lease_s=2).start()
        self.servers.append(s)
        return s

    def status(self, srv, key, sid):
        st, doc = kz.request("GET", srv.url("/session-management/sessions/%s/status/" % sid),
                             key=key)
        self.assertEqual(st, 200, doc)
        return doc

    def wait_processing(self, srv, key, sid):
        deadline = time.time() + 60
        while time.time() < deadline:
            doc = self.status(srv, key, sid)
            if doc["status"] == "processing":
                return doc
            self.assertEqual(doc["status"], "queued", doc)
            time.sleep(0.02)
        self.fail("job never started")

    def test_first_start_prints_key_once(self):
        s = self.server(0)
        key = s.admin_key
        self.assertTrue(key)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "kinalyze.db")))
        self.assertTrue(os.path.isdir(os.path.join(self.dir, "media")))
        st, body = kz.upload(s.url("/running/sessions/"), key, self.small)
        self.assertEqual(st, 200, body)
        self.assertEqual(s.stop(), 0)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "server.port")))
        # an old media directory without a session row (crash between placing the file
        # and committing the rows) is swept at start; real and recent ones stay
        sessions = os.path.join(self.dir, "media", "sessions")
        orphan, recent = os.path.join(sessions, "a" * 32), os.path.join(sessions, "b" * 32)
        for d in (orphan, recent):
            os.makedirs(d)
            with open(os.path.join(d, "original.mp4"), "wb") as f:
                f.write(b"x")
        old = time.time() - 3600
        os.utime(orphan, (old, old))
        real = os.path.join(sessions, body["session_id"])
        os.utime(real, (old, old))
        s2 = self.server(0)
        self.assertFalse(os.path.exists(orphan))
        self.assertTrue(os.path.exists(recent))
        self.assertTrue(os.path.exists(os.path.join(real, "original.mp4")))
        self.assertIsNone(s2.admin_key)  # not printed again
        self.assertNotIn(key, "".join(s2.stdout_lines))
        st, _ = kz.request("GET", s2.url("/user-management/users/"), key=key)
        self.assertEqual(st, 200)  # the key still works after a restart
        self.assertEqual(s2.stop(), 0)
        # the key is stored only as a hash
        with open(os.path.join(self.dir, "kinalyze.db"), "rb") as f:
            db = f.read()
        self.assertNotIn(key.split("_", 2)[2].encode(), db)

    def test_sigkill_mid_job_then_restart(self):
        s = self.server(1)
        key = s.admin_key
        st, body = kz.upload(s.url("/jumping/sessions/"), key, self.long)
        self.assertEqual(st, 200, body)
        sid = body["session_id"]
        self.wait_processing(s, key, sid)
        self.assertEqual(s.kill(), -signal.SIGKILL)
        s2 = self.server(1)
        doc = kz.wait_status(s2, sid, key, timeout=240)
        # the second attempt ran every stage: the analysis finds nobody in a test pattern
        self.assertEqual(doc["status"], "failed", doc)
        self.assertIn("analysis: pose: no person found", doc["failure_reason"])
        self.assertEqual(doc["attempts"], 2)  # the killed attempt counted, the second finished
        self.assertEqual(doc["media"]["frame_count"], 600)
        self.assertEqual((doc["media"]["width"], doc["media"]["height"]), (1280, 720))
        self.assertEqual(s2.stop(), 0)

    def test_separate_worker_process(self):
        s = self.server(0)  # HTTP only
        key = s.admin_key
        st, body = kz.upload(s.url("/weightlifting/sessions/"), key, self.small,
                             {"exercise_name": "clean"})
        self.assertEqual(st, 200, body)
        sid = body["session_id"]
        time.sleep(0.5)
        self.assertEqual(self.status(s, key, sid)["status"], "queued")
        w = subprocess.Popen([kz.BIN, "worker", "--data-dir", self.dir, "--workers", "1",
                              "--job-lease-s", "2"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
        try:
            self.assertIn("worker running", w.stdout.readline())
            doc = kz.wait_status(s, sid, key, timeout=120)
            self.assertEqual(doc["status"], "completed", doc)
            self.assertEqual(doc["media"]["frame_count"], 25)
        finally:
            w.send_signal(signal.SIGTERM)
            self.assertEqual(w.wait(timeout=60), 0)
            w.stdout.close()
        self.assertEqual(s.stop(), 0)

    def test_sigterm(self):
        s = self.server(0)  # no workers: jobs stay queued
        key = s.admin_key
        st, body = kz.upload(s.url("/running/sessions/"), key, self.small)
        self.assertEqual(st, 200)
        queued = body["session_id"]
        # an upload in flight (rate-limited to take ~2 s) when SIGTERM arrives
        result = {}

        def slow_upload():
            result["r"] = kz.upload(s.url("/running/sessions/"), key, self.long,
                                    extra=["--limit-rate", "%dk" % (os.path.getsize(self.long)
                                                                    // 2048 + 1)])

        t = threading.Thread(target=slow_upload)
        t.start()
        tmpdir = os.path.join(self.dir, "tmp")
        for _ in range(200):
            if kz.files_under(tmpdir):
                break
            time.sleep(0.02)
        self.assertTrue(kz.files_under(tmpdir), "slow upload did not start")
        s.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        # no new connections once stopping
        p = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                            "--max-time", "5", s.url("/user-management/users/")],
                           capture_output=True, text=True)
        self.assertEqual(p.stdout.strip(), "000", p)
        t.join(120)
        st, body = result["r"]
        self.assertEqual(st, 200, body)  # the request in flight finished
        inflight = body["session_id"]
        self.assertEqual(s.stop(), 0)
        # after restart both jobs are still queued
        s2 = self.server(0)
        for sid in (queued, inflight):
            doc = self.status(s2, key, sid)
            self.assertEqual((doc["status"], doc["attempts"]), ("queued", 0), doc)
        self.assertEqual(s2.stop(), 0)
        # a running job is given back on SIGTERM without spending an attempt
        s3 = self.server(1)
        self.wait_processing(s3, key, inflight)
        self.assertEqual(s3.stop(), 0)
        s4 = self.server(0)
        doc = self.status(s4, key, inflight)
        self.assertEqual((doc["status"], doc["attempts"]), ("queued", 0), doc)
        self.assertEqual(s4.stop(), 0)
        # and eventually every job runs to its end (the analysis finds nobody in a test pattern)
        s5 = self.server(1)
        for sid in (queued, inflight):
            doc = kz.wait_status(s5, sid, key, timeout=240)
            self.assertEqual(doc["status"], "failed", doc)
            self.assertIn("analysis: pose: no person found", doc["failure_reason"])
        self.assertEqual(s5.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
