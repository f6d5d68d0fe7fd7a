"""End-to-end analysis through the real server, one real clip per activity from
../shared/media: uploaded to /{activity}/sessions/, analysed by the worker
(media, then the analysis stage: pose, bar tracking for lifts, metrics,
analyzed video), the session completes, GET /{activity}/sessions/{id}/ and
/export/ carry per-frame series and plausible metrics, the analyzed-video URL
serves an H.264 MP4 with its index in front. A clip without a person fails in
the pose stage with the reason, and its upload is still served. Skips when the
clips or the pose models are absent.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import kz

SKIP = kz.skip_unless_tools()
MEDIA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                     "media")
MEDIA = os.environ.get("KZ_SHARED_MEDIA", MEDIA)
CLIP = os.path.join(MEDIA, "running_outdoor_side_short.mp4")
JUMP_CLIP = os.path.join(MEDIA, "jump_cmj_armswing_oblique.mp4")
LIFT_CLIP = os.path.join(MEDIA, "snatch_side_ilyin.mp4")
WALK_CLIP = os.path.join(MEDIA, "walking_side.mp4")
MODELS = os.environ.get("KINALYZE_MODELS_DIR", "models")
for _clip in (CLIP, JUMP_CLIP, LIFT_CLIP, WALK_CLIP):
    if not SKIP and not os.path.exists(_clip):
        SKIP = "shared clip %s absent" % _clip
if not SKIP and not os.path.exists(os.path.join(MODELS, "pose_landmark_full.tflite")):
    SKIP = "pose models absent in %s (make models)" % MODELS


def mp4_boxes(path):
    """Top-level MP4 box types in file order."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    i = 0
    while i + 8 <= len(data):
        size = int.from_bytes(data[i:i + 4], "big")
        kind = data[i + 4:i + 8].decode("latin-1")
        if size == 1:
            size = int.from_bytes(data[i + 8:i + 16], "big")
        if size < 8:
            break
        out.append(kind)
        i += size
    return out


@unittest.skipIf(SKIP, SKIP or "")
class Analysis(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = kz.Server(workers=1).start()
        cls.admin = cls.srv.admin_key

    @classmethod
    def tearDownClass(cls):
        code = cls.srv.stop()
        log = cls.srv.read_log()
        cls.srv.cleanup()
        assert code == 0, "server exit code %s\n%s" % (code, log[-3000:])

    def test_running_clip(self):
        st, body = kz.upload(self.srv.url("/running/sessions/"), self.admin, CLIP,
                             {"session_name": "outdoor", "incline_degree": "0"})
        self.assertEqual(st, 200, body)
        sid = body["session_id"]
        doc = kz.wait_status(self.srv, sid, self.admin, timeout=900)
        self.assertEqual(doc["status"], "completed", doc)
        self.assertTrue(doc["results_available"])
        st, d = kz.request("GET", self.srv.url("/running/sessions/%s/" % sid), key=self.admin)
        self.assertEqual(st, 200, d)
        self.assertEqual(d["activity"], "Running")
        self.assertEqual(d["title"], "outdoor")
        n = len(d["all_timestamps"])
        self.assertEqual(n, 47)
        self.assertEqual(len(d["angles"]["lkne_angle"]), n)
        # 1.6 s of jogging holds only ~3 foot contacts: cadence is either measured, or
        # reported unavailable with its reason — never guessed
        unavailable = d["kinalyze"]["unavailable"]
        if "cadence" in d["metrics"]:
            self.assertIn("cadence", d["calculated_metrics"])
        else:
            self.assertRegex(unavailable.get("cadence", ""), r"\w")
            self.assertNotIn("cadence", d["calculated_metrics"])
        self.assertIn("trunk_lean", d["metrics"])
        self.assertEqual(d["kinalyze"]["pipeline"]["frames"], n)
        key = d["kinalyze"]["analyzed_video_key"]
        path = os.path.join(self.srv.data_dir, "media", key)
        self.assertTrue(os.path.exists(path), path)
        boxes = mp4_boxes(path)
        self.assertLess(boxes.index("moov"), boxes.index("mdat"))  # faststart
        probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0",
                                "-show_entries", "stream=codec_name,nb_frames", "-of", "json",
                                path], capture_output=True, text=True, check=True)
        s = json.loads(probe.stdout)["streams"][0]
        self.assertEqual((s["codec_name"], int(s["nb_frames"])), ("h264", n))

    def analyzed_video(self, sid, n, key=None):
        """The analyzed-video URL (session management) serves an H.264 MP4 of n frames."""
        st, body = kz.request("GET", self.srv.url(
            "/session-management/sessions/%s/analyzed-video/" % sid), key=key or self.admin)
        self.assertEqual(st, 200, body)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "a.mp4")
            p = subprocess.run(["curl", "-sS", "-o", path, "-w", "%{http_code} %{content_type}",
                                body["analyzed_video_url"]], capture_output=True, text=True)
            self.assertEqual(p.stdout, "200 video/mp4", p.stderr)
            boxes = mp4_boxes(path)
            self.assertLess(boxes.index("moov"), boxes.index("mdat"))
            probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0",
                                    "-show_entries", "stream=codec_name,nb_frames", "-of",
                                    "json", path], capture_output=True, text=True, check=True)
            s = json.loads(probe.stdout)["streams"][0]
            self.assertEqual((s["codec_name"], int(s["nb_frames"])), ("h264", n))

    def test_jumping_clip(self):
        st, body = kz.upload(self.srv.url("/jumping/sessions/"), self.admin, JUMP_CLIP,
                             {"session_name": "cmj", "exercise": "Countermovement Jump"})
        self.assertEqual(st, 200, body)
        sid = body["session_id"]
        doc = kz.wait_status(self.srv, sid, self.admin, timeout=900)
        self.assertEqual(doc["status"], "completed", doc)
        st, d = kz.request("GET", self.srv.url("/jumping/sessions/%s/" % sid), key=self.admin)
        self.assertEqual(st, 200, d)
        self.assertEqual(d["activity"], "Vertical Jump")
        n = len(d["all_timestamps"])
        self.assertEqual(n, 71)
        for k in ("hipy", "vhipy"):
            self.assertEqual(len(d["whole_report_metrics"][k]), n)
        self.assertEqual(len(d["angles"]["lkne_angle"]), n)
        # one countermovement jump with arm swing: a flight between 0.2 and 0.9 s
        self.assertGreaterEqual(d["segments"], 1, d["kinalyze"].get("unavailable"))
        ft = d["metrics"]["flight_time"]
        self.assertTrue(all(0.2 < v < 0.9 for v in ft), ft)
        st, ex = kz.request("GET", self.srv.url("/jumping/sessions/%s/export/" % sid),
                            key=self.admin)
        self.assertEqual(st, 200, ex)
        self.assertEqual(len(ex["keypoints"]["lknex"]), n)
        self.analyzed_video(sid, n)

    def test_weightlifting_clip(self):
        # an organization on imperial units: barbell_mass is in lb, analysed in kg
        imp = kz.admin_create(self.srv.data_dir, "lifts@imperial.example",
                              organization="Imperial Lifting", units="imperial")["api_key"]
        st, body = kz.upload(self.srv.url("/weightlifting/sessions/"), imp, LIFT_CLIP,
                             {"session_name": "snatch", "exercise_name": "snatch",
                              "barbell_mass": "220"})
        self.assertEqual(st, 200, body)
        sid = body["session_id"]
        doc = kz.wait_status(self.srv, sid, imp, timeout=900)
        self.assertEqual(doc["status"], "completed", doc)
        self.assertEqual((doc["options"]["barbell_mass"], doc["options"]["barbell_unit"]),
                         (220, "lb"))
        st, d = kz.request("GET", self.srv.url("/weightlifting/sessions/%s/" % sid), key=imp)
        self.assertEqual(st, 200, d)
        self.assertEqual((d["activity"], d["exercise"]), ("Weightlifting", "snatch"))
        n = len(d["all_timestamps"])
        self.assertEqual(n, 74)
        m = d["metrics"]
        # METRICS-AND-PEERS.md §3.3: a snatch peaks at 1-3 m/s and rises about 1 m
        self.assertTrue(1.0 < m["max_bar_speed"] < 3.0, m)
        self.assertTrue(0.6 < m["max_bar_height"] < 1.6, m)
        self.assertAlmostEqual(m["barbell_weight"], 220 * 0.45359237, places=3)  # 99.79 kg
        self.assertNotIn("max_GRF", m)  # the athlete has no body weight on file
        self.assertEqual(d["kinalyze"]["metrics"]["max_GRF"]["reason"], "body mass unknown")
        for k in ("start_of_lifting", "second_pull_end", "catch_end"):
            self.assertIn(k, m)
        self.assertLess(m["start_of_lifting"], m["second_pull_end"])
        self.assertLess(m["second_pull_end"], m["catch_end"])
        for k in ("bar", "vhipy"):
            self.assertEqual(len(d["report_metrics"][k]), n)
        self.assertEqual(len(d["angles"]["lkne_angle"]), n)
        bt = d["kinalyze"]["bar_tracking"]
        self.assertGreater(bt["found_fraction"], 0.8, bt)
        self.assertEqual(d["kinalyze"]["scale"]["source"], "plate_diameter")
        st, ex = kz.request("GET", self.srv.url("/weightlifting/sessions/%s/export/" % sid),
                            key=imp)
        self.assertEqual(st, 200, ex)
        self.assertEqual(len(ex["keypoints"]["barx"]), n)
        self.assertEqual(ex["metrics"]["max_bar_speed"], m["max_bar_speed"])
        self.analyzed_video(sid, n, key=imp)

    def test_progress_names_the_pipeline_step(self):
        """While a 13 s clip is analysed, the status names the pipeline's step
        ("analysis:pose", then "analysis:video" ...) and progress never goes back."""
        st, body = kz.upload(self.srv.url("/running/sessions/"), self.admin, WALK_CLIP,
                             {"session_name": "walk"})
        self.assertEqual(st, 200, body)
        sid = body["session_id"]
        seen, last_progress = [], -1
        deadline = time.time() + 900
        while time.time() < deadline:
            st, doc = kz.request("GET", self.srv.url(
                "/session-management/sessions/%s/status/" % sid), key=self.admin)
            self.assertEqual(st, 200, doc)
            if doc["status"] == "processing":
                self.assertGreaterEqual(doc["progress"], last_progress, doc)
                last_progress = doc["progress"]
                if not seen or seen[-1] != doc["stage"]:
                    seen.append(doc["stage"])
            if doc["status"] in ("completed", "failed"):
                break
            time.sleep(0.05)
        self.assertEqual(doc["status"], "completed", doc)
        self.assertEqual(doc["stage"], "analysis:results", doc)  # the step run last
        self.assertIn("analysis:pose", seen)
        self.assertIn("analysis:video", seen)
        self.assertLess(seen.index("analysis:pose"), seen.index("analysis:video"))

    def test_no_person_fails_in_pose_stage_and_keeps_upload(self):
        with tempfile.TemporaryDirectory() as tmp:
            clip = kz.make_video(os.path.join(tmp, "pattern.mp4"), seconds=2)
            st, body = kz.upload(self.srv.url("/running/sessions/"), self.admin, clip,
                                 {"session_name": "nobody"})
            self.assertEqual(st, 200, body)
        sid = body["session_id"]
        doc = kz.wait_status(self.srv, sid, self.admin, timeout=900)
        self.assertEqual(doc["status"], "failed", doc)
        self.assertRegex(doc["failure_reason"], r"^analysis: pose: no person found", doc)
        self.assertEqual(doc["attempts"], 1, doc)  # permanent: not retried
        st, lst = kz.request("GET", self.srv.url("/session-management/sessions/"),
                             key=self.admin)
        self.assertEqual(st, 200, lst)
        url = lst["sessions"][sid]["video_url"]
        self.assertTrue(url, lst["sessions"][sid])
        p = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", url],
                           capture_output=True, text=True)
        self.assertEqual(p.stdout, "200")


if __name__ == "__main__":
    unittest.main(verbosity=2)
