"""Session management and media delivery over real HTTP (issue 3).

Listing (newest first, vendor document shape), the filter (activity, dates,
title, user_id, limit bounds, keyset cursors both ways — also while sessions
are being created between pages), fetch by ids, PUT and DELETE (rows, media
files, queued job, a running job that must stop and leave nothing behind),
signed media URLs (no Authorization, Range 206/416, Content-Type, tampered /
foreign / expired signatures → 403), analyzed-video and the export routes.
Every JSON response of a vendor route is validated against the vendor's
Swagger spec (skipped, with a message, when ../shared is absent).

Results documents are written by analysis stages; like test_uploads.py, the
bench fixture `bench/seed_results` stands in for them (it writes through the
store API into the server's database while it runs)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kz  # noqa: E402

try:
    import swagger  # vendor-spec validator (tests/integration/swagger.py)
    SPEC = swagger.load_spec()
except Exception:  # noqa: BLE001 - optional: PyYAML or ../shared missing
    swagger, SPEC = None, None

SKIP = kz.skip_unless_tools()
SEED = os.path.join(os.path.dirname(kz.BIN), "..", "..", "bench", "seed_results")
ZERO = "0" * 32
if SPEC is None:
    print("test_sessions: vendor spec (../shared/api/vendor-spec-v2.swagger.yaml) or PyYAML "
          "absent: compatibility checks skipped")


def fetch(url, headers=(), method="GET"):
    """GET `url` with curl (no auth); returns (status, {lower-case header: value}, bytes)."""
    with tempfile.NamedTemporaryFile() as hdr, tempfile.NamedTemporaryFile() as body:
        args = ["curl", "-sS", "-X", method, "-D", hdr.name, "-o", body.name, "-w",
                "%{http_code}"]
        for h in headers:
            args += ["-H", h]
        p = subprocess.run(args + [url], capture_output=True, text=True, timeout=120)
        with open(hdr.name, encoding="latin-1") as f:
            lines = f.read().splitlines()
        with open(body.name, "rb") as f:
            raw = f.read()
    h = {}
    for line in lines:
        if ":" in line:
            k, v = line.split(":", 1)
            h[k.strip().lower()] = v.strip()
    return int(p.stdout.strip() or 0), h, raw


def local(url, srv):
    """Signed URLs name the Host the request came with; keep path and query."""
    u = urllib.parse.urlsplit(url)
    return srv.url(u.path + ("?" + u.query if u.query else ""))


def with_query(url, **changes):
    u = urllib.parse.urlsplit(url)
    q = dict(urllib.parse.parse_qsl(u.query))
    q.update(changes)
    return urllib.parse.urlunsplit(u._replace(query=urllib.parse.urlencode(q)))


class Base(unittest.TestCase):
    def check(self, path, method, st, body):
        if SPEC is not None:
            self.assertEqual(swagger.check(path, method, st, body), [], (path, st, body))

    def call(self, method, path, key, body=None, check=True, **kw):
        st, doc = kz.request(method, self.srv.url(path), key=key, body=body, **kw)
        if check and isinstance(doc, (dict, list)):
            self.check(path, method.lower(), st, doc)
        return st, doc

    def listing(self, key, **query):
        path = "/session-management/sessions/filter/"
        if query:
            path += "?" + urllib.parse.urlencode(query)
        return self.call("GET", path, key)


@unittest.skipIf(SKIP, SKIP or "")
class Manage(Base):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kz-sess-")
        cls.video = kz.make_video(os.path.join(cls.tmp, "clip.mp4"), seconds=1,
                                  size="160x120")
        cls.srv = kz.Server(workers=0).start()  # jobs stay queued: the test places results
        cls.admin = cls.srv.admin_key
        cls.sub_id, cls.sub = cls.member("coach@example.com", "Coach", "sub_admin")
        cls.user_id, cls.user = cls.member("ath@example.com", "Ath", "user")
        cls.user2_id, cls.user2 = cls.member("ath2@example.com", "Ath Two", "user")
        cls.other = kz.admin_create(cls.srv.data_dir, "o@other.example", organization="Other")

    @classmethod
    def member(cls, email, name, role):
        return kz.add_member(cls.srv, cls.admin, email, name, role)

    @classmethod
    def tearDownClass(cls):
        code = cls.srv.stop()
        log = cls.srv.read_log()
        cls.srv.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert code == 0, "server exit code %s\n%s" % (code, log[-3000:])

    def upload(self, activity="running", key=None, title=None, user_id=None):
        key = key or self.admin
        fields = {"exercise_name": "snatch"} if activity == "weightlifting" else {}
        if user_id:
            path = "/%s/management/sessions/" % activity
            fields["user_id"] = user_id
        else:
            path = "/%s/sessions/" % activity
        if title:
            fields["session_name"] = title
        st, body = kz.upload(self.srv.url(path), key, self.video, fields)
        self.assertEqual(st, 200, body)
        return body["session_id"]

    def put(self, sid, key=None, **body):
        return self.call("PUT", "/session-management/sessions/%s" % sid, key or self.admin,
                         body=body)

    def seed(self, sid):
        if not os.path.exists(SEED):
            self.skipTest("bench/seed_results not built")
        subprocess.run([SEED, "sqlite:%s/kinalyze.db" % self.srv.data_dir, sid], check=True,
                       capture_output=True)

    # ---- listing ----
    def test_list_roles_and_shape(self):
        a = self.upload("running", title="Admin run")
        u = self.upload("jumping", key=self.user, title="Own jump")
        m = self.upload("weightlifting", title="For ath", user_id=self.user_id)
        o = self.upload("running", key=self.other["api_key"], title="Foreign")
        path = "/session-management/sessions/"
        st, doc = self.call("GET", path, self.admin)
        self.assertEqual(st, 200, doc)
        ids = list(doc["sessions"])
        for sid in (a, u, m):
            self.assertIn(sid, ids)
        self.assertNotIn(o, ids)
        # newest first: m was uploaded last of the three
        self.assertLess(ids.index(m), ids.index(u))
        self.assertLess(ids.index(u), ids.index(a))
        d = doc["sessions"][a]
        for field in ("created_at", "video_url", "analyzed_video_url", "segments", "activity",
                      "title", "user_id", "user_name", "report_comments", "metrics", "status",
                      "progress"):
            self.assertIn(field, d)
        self.assertRegex(d["created_at"]["date"], r"^\d\d/\d\d/\d{4}$")
        self.assertRegex(d["created_at"]["time"], r"^\d\d:\d\d [AP]M$")
        self.assertEqual((d["activity"], d["title"], d["status"]), ("Running", "Admin run",
                                                                    "queued"))
        self.assertRegex(d["video_url"], r"/media/%s/[^/?]+\?expires=\d+&signature=[0-9a-f]+$"
                         % a)
        self.assertIsNone(d["analyzed_video_url"])
        self.assertEqual(doc["sessions"][u]["activity"], "Vertical Jump")
        self.assertEqual(doc["sessions"][m]["activity"], "Weightlifting")
        self.assertEqual(doc["sessions"][m]["user_name"], "Ath")
        self.assertEqual(doc["sessions"][m]["user_id"], self.user_id)
        # sub-admin sees the organization's, a user only its own, another org only its own
        st, sub = self.call("GET", path, self.sub)
        self.assertEqual(st, 200)
        self.assertTrue({a, u, m} <= set(sub["sessions"]))
        st, own = self.call("GET", path, self.user)
        self.assertEqual(st, 200)
        self.assertTrue({u, m} <= set(own["sessions"]))
        self.assertNotIn(a, own["sessions"])
        self.assertTrue(all(s["user_id"] == self.user_id for s in own["sessions"].values()))
        st, oth = self.call("GET", path, self.other["api_key"])
        self.assertEqual(st, 200)
        self.assertEqual(set(oth["sessions"]) & {a, u, m}, set())
        self.assertIn(o, oth["sessions"])
        # no key / revoked key
        self.assertEqual(self.call("GET", path, None, check=False)[0], 401)
        st, body = kz.request("POST", self.srv.url("/api-management/keys/"), key=self.admin,
                              body={"title": "temp", "domain": "x.example"})
        self.assertEqual(st, 201, body)
        key, kid = body["api_key"], body["key_id"]
        self.assertEqual(self.call("GET", path, key)[0], 200)
        st, _ = kz.request("PATCH", self.srv.url("/api-management/keys/status/"), key=self.admin,
                           body={"key_id": kid, "is_active": False})
        self.assertEqual(st, 200)
        for p in (path, "/session-management/sessions/filter/"):
            self.assertEqual(self.call("GET", p, key, check=False)[0], 401)
        self.assertEqual(self.call("POST", "/session-management/sessions/by-ids/", key,
                                   body={"session_ids": [a]}, check=False)[0], 401)
        self.assertEqual(self.put(a, key=key, title="x")[0], 401)
        self.assertEqual(self.call("DELETE", "/session-management/sessions/%s" % a, key,
                                   check=False)[0], 401)

    def test_list_empty_is_vendor_404(self):
        st, doc = self.call("GET", "/session-management/sessions/", self.user2)
        self.assertEqual((st, doc), (404, {"error": "No sessions found for this user."}))
        st, doc = self.listing(self.user2)
        self.assertEqual((st, doc), (404, {"error": "No sessions found for the given criteria."}))

    # ---- filter ----
    def test_filter(self):
        tag = "flt%d" % int(time.time() * 1000)
        r1 = self.upload("running", title="%s Morning RUN" % tag)
        j1 = self.upload("jumping", title="%s jump" % tag)
        w1 = self.upload("weightlifting", title="%s lift" % tag, user_id=self.user_id)
        # place them on known dates (far in the past so other tests' sessions do not mix in)
        for sid, when in ((r1, "2001-03-10 08:00:00"), (j1, "2001-03-11 23:59:59"),
                          (w1, "2001-03-12 00:00:00")):
            st, body = self.put(sid, created_at=when)
            self.assertEqual((st, body), (200, {"success": "%s was successfully updated" % sid}))
        for name, want in (("Running", r1), ("Vertical Jump", j1), ("Weightlifting", w1),
                           ("running", r1)):
            st, doc = self.listing(self.admin, activity=name, title=tag)
            self.assertEqual(st, 200, (name, doc))
            self.assertEqual(list(doc["sessions"]), [want], name)
            self.assertEqual(doc["query_count"], 1)
            self.assertEqual(doc["first_doc_id"], want)
            self.assertEqual(doc["last_doc_id"], want)
        self.assertEqual(self.listing(self.admin, activity="Swimming")[0], 400)
        # inclusive dates
        st, doc = self.listing(self.admin, start_date="11/03/2001", end_date="11/03/2001")
        self.assertEqual((st, list(doc["sessions"])), (200, [j1]))
        st, doc = self.listing(self.admin, start_date="10/03/2001", end_date="12/03/2001")
        self.assertEqual(list(doc["sessions"]), [w1, j1, r1])  # newest first
        self.assertEqual(doc["sessions"][w1]["created_at"], {"date": "12/03/2001",
                                                             "time": "12:00 AM"})
        self.assertEqual(doc["sessions"][j1]["created_at"], {"date": "11/03/2001",
                                                             "time": "11:59 PM"})
        st, doc = self.listing(self.admin, end_date="10/03/2001", title=tag)
        self.assertEqual(list(doc["sessions"]), [r1])
        st, doc = self.listing(self.admin, start_date="12/03/2001", title=tag)
        self.assertEqual(list(doc["sessions"]), [w1])
        for bad in ("2001-03-10", "32/01/2001", "1/3/2001", "29/02/2001", "xx"):
            for param in ("start_date", "end_date"):
                st, doc = self.listing(self.admin, **{param: bad})
                self.assertEqual((st, doc), (400, {"error":
                                                   "Invalid date format (expected dd/mm/yyyy)."}),
                                 (param, bad))
        # title: case-insensitive substring
        st, doc = self.listing(self.admin, title="morning run")
        self.assertEqual(list(doc["sessions"]), [r1])
        st, doc = self.listing(self.admin, title=tag.upper())
        self.assertEqual(set(doc["sessions"]), {r1, j1, w1})
        for wild in ("%", "_", "%s%%RUN" % tag):  # no SQL wildcards: a literal substring
            self.assertEqual(self.listing(self.admin, title=wild)[0], 404, wild)
        st, doc = self.listing(self.admin, title="%s nothing" % tag)
        self.assertEqual((st, doc), (404, {"error": "No sessions found for the given criteria."}))
        # user_id: staff choose; a user sees only its own whatever it asks
        st, doc = self.listing(self.admin, user_id=self.user_id, title=tag)
        self.assertEqual(list(doc["sessions"]), [w1])
        st, doc = self.listing(self.user, title=tag)
        self.assertEqual(list(doc["sessions"]), [w1])
        st, doc = self.listing(self.user, title=tag, user_id=self.admin_id())
        self.assertEqual(st, 404)
        st, doc = self.listing(self.sub, title=tag)
        self.assertEqual(set(doc["sessions"]), {r1, j1, w1})
        st, doc = self.listing(self.other["api_key"], title=tag)
        self.assertEqual(st, 404)
        # limit: default 10, bounds
        for _ in range(11 - len(self.listing(self.admin, limit=100)[1]["sessions"])):
            self.upload("running")
        st, doc = self.listing(self.admin)
        self.assertEqual((st, doc["query_count"], len(doc["sessions"])), (200, 10, 10))
        st, doc = self.listing(self.admin, limit=2, title=tag)
        self.assertEqual(list(doc["sessions"]), [w1, j1])
        for bad in ("0", "101", "x", "-1"):
            st, doc = self.listing(self.admin, limit=bad)
            self.assertEqual(st, 400, (bad, doc))
            self.assertIn("limit", doc["error"])
        st, doc = self.listing(self.admin, limit=100)
        self.assertEqual(st, 200)
        # a cursor the caller may not see is refused like an unknown one
        a = self.listing(self.other["api_key"], start_after_id=r1)
        b = self.listing(self.other["api_key"], start_after_id=ZERO)
        self.assertEqual(a, b)
        self.assertEqual(a[0], 400)

    def admin_id(self):
        st, body = kz.request("GET", self.srv.url("/user-management/organization-status/"),
                              key=self.admin)
        return body["uid"]

    def test_cursor_paging(self):
        tag = "page%d" % int(time.time() * 1000)
        made = [self.upload(title="%s %d" % (tag, i)) for i in range(7)]
        # two sessions share one created_at: the id breaks the tie
        for sid in made[2:4]:
            self.assertEqual(self.put(sid, created_at="2002-01-01 10:00:00")[0], 200)
        st, doc = self.listing(self.admin, title=tag, limit=100)
        everything = list(doc["sessions"])
        self.assertEqual(set(everything), set(made))
        # forward, creating new sessions between pages
        seen, after, pages, created = [], None, 0, []
        while True:
            q = {"title": tag, "limit": 3}
            if after:
                q["start_after_id"] = after
            st, doc = self.listing(self.admin, **q)
            if st == 404:
                break
            self.assertEqual(st, 200, doc)
            ids = list(doc["sessions"])
            self.assertEqual((doc["first_doc_id"], doc["last_doc_id"]), (ids[0], ids[-1]))
            self.assertEqual(doc["query_count"], len(ids))
            seen += ids
            after = doc["last_doc_id"]
            pages += 1
            created.append(self.upload(title="%s new %d" % (tag, pages)))
            self.assertLess(pages, 10)
        self.assertEqual(seen, everything)  # each exactly once, in order
        self.assertEqual(pages, 3)
        # backward from the oldest: pages come newest first; new sessions show up at the end
        st, doc = self.listing(self.admin, title=tag, limit=100)
        now_all = list(doc["sessions"])
        self.assertEqual(set(now_all), set(made) | set(created))
        back, before = [], everything[-1]
        back_pages = 0
        while True:
            st, doc = self.listing(self.admin, title=tag, limit=3, end_before_id=before)
            if st == 404:
                break
            self.assertEqual(st, 200, doc)
            ids = list(doc["sessions"])
            self.assertEqual((doc["first_doc_id"], doc["last_doc_id"]), (ids[0], ids[-1]))
            back = ids + back
            before = doc["first_doc_id"]
            back_pages += 1
            if back_pages == 1:
                self.upload(title="%s late" % tag)
            self.assertLess(back_pages, 10)
        st, doc = self.listing(self.admin, title=tag, limit=100)
        final = list(doc["sessions"])
        self.assertEqual(back, final[:-1])  # everything newer than the oldest, once, in order
        self.assertEqual(len(set(back)), len(back))

    # ---- by ids ----
    def test_by_ids(self):
        mine = self.upload(title="byid")
        theirs = self.upload(key=self.other["api_key"])
        user_own = self.upload(key=self.user)
        path = "/session-management/sessions/by-ids/"
        st, doc = self.call("POST", path, self.admin, body={"session_ids": [mine, theirs, ZERO,
                                                                             user_own, mine]},
                            check=False)
        self.assertEqual(st, 200, doc)
        self.assertEqual(list(doc["sessions"]), [mine, user_own])
        self.assertEqual(doc["sessions"][mine]["title"], "byid")
        # same document shape as the listing (the vendor route has no published path)
        self.check("/session-management/sessions/", "get", st, doc)
        st, doc = self.call("POST", path, self.user, body={"session_ids": [mine, user_own]},
                            check=False)
        self.assertEqual(list(doc["sessions"]), [user_own])
        a = self.call("POST", path, self.other["api_key"], body={"session_ids": [mine]},
                      check=False)
        b = self.call("POST", path, self.other["api_key"], body={"session_ids": [ZERO]},
                      check=False)
        self.assertEqual(a, b)
        self.assertEqual(a, (200, {"sessions": {}}))
        for bad in ({}, {"session_ids": []}, {"session_ids": "x"}, {"session_ids": [1]},
                    {"session_ids": [""]}, {"session_ids": ["a"] * 101}, {"ids": [mine]}):
            st, doc = self.call("POST", path, self.admin, body=bad, check=False)
            self.assertEqual(st, 400, bad)
            self.assertIn("session_ids missing or invalid", doc["error"])
        st, doc = self.call("POST", path, self.admin, raw="not json", check=False)
        self.assertEqual(st, 400)

    # ---- PUT ----
    def test_put(self):
        sid = self.upload(title="before")
        st, body = self.put(sid, title="after", created_at="2020-02-29 13:05:00")
        self.assertEqual((st, body), (200, {"success": "%s was successfully updated" % sid}))
        st, doc = self.call("POST", "/session-management/sessions/by-ids/", self.admin,
                            body={"session_ids": [sid]}, check=False)
        d = doc["sessions"][sid]
        self.assertEqual((d["title"], d["created_at"]),
                         ("after", {"date": "29/02/2020", "time": "01:05 PM"}))
        for bad in ("2020-02-30 10:00:00", "2020-02-29", "29/02/2020 10:00:00",
                    "2020-02-29 24:00:00", 5):
            st, body = self.put(sid, created_at=bad)
            self.assertEqual(st, 400, (bad, body))
        self.assertEqual(self.put(sid)[0], 400)
        self.assertEqual(self.put(sid, title="")[0], 400)
        # foreign and unknown ids: the vendor's 404, identical
        for key in (self.other["api_key"],):
            st, body = self.put(sid, key=key, title="stolen")
            self.assertEqual((st, body), (404, {"error": "Session %s not found" % sid}))
        st, body = self.put(ZERO, title="x")
        self.assertEqual((st, body), (404, {"error": "Session %s not found" % ZERO}))
        # a user edits its own only
        own = self.upload(key=self.user)
        self.assertEqual(self.put(own, key=self.user, title="mine")[0], 200)
        self.assertEqual(self.put(sid, key=self.user, title="nope")[0], 404)
        self.assertEqual(self.put(own, key=self.sub, title="coach")[0], 200)

    # ---- DELETE ----
    def test_delete(self):
        sid = self.upload(title="doomed")
        d = os.path.join(self.srv.data_dir, "media", "sessions", sid)
        self.assertTrue(kz.files_under(d))
        path = "/session-management/sessions/%s" % sid
        st, doc = self.call("GET", "/session-management/sessions/%s/status/" % sid, self.admin,
                            check=False)
        self.assertEqual((st, doc["status"]), (200, "queued"))
        # another organization and a user of ours cannot; the answer is unknown-id's
        st, body = self.call("DELETE", path, self.other["api_key"])
        self.assertEqual((st, body), (404, {"error": "Session %s not found" % sid}))
        self.assertEqual(self.call("DELETE", path, self.user)[0], 404)
        self.assertTrue(kz.files_under(d))
        st, body = self.call("DELETE", path, self.admin)
        self.assertEqual((st, body), (200, {"success": "%s was successfully deleted" % sid}))
        self.assertFalse(os.path.exists(d))
        st, _ = self.call("GET", "/session-management/sessions/%s/status/" % sid, self.admin,
                          check=False)
        self.assertEqual(st, 404)
        st, body = self.call("DELETE", path, self.admin)
        self.assertEqual((st, body), (404, {"error": "Session %s not found" % sid}))
        # the queued job is gone with it: no row in the database names the session
        db = os.path.join(self.srv.data_dir, "kinalyze.db")
        if shutil.which("sqlite3"):  # scripts/deps.sh --test installs it
            out = subprocess.run(["sqlite3", db, "SELECT count(*) FROM jobs WHERE session_id='%s';"
                                  " SELECT count(*) FROM sessions WHERE id='%s';" % (sid, sid)],
                                 capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(out.stdout.split(), ["0", "0"])
        else:
            print("test_delete: sqlite3 CLI absent: job row not inspected directly")
        # a sub-admin deletes an athlete's session; the athlete its own
        for key, owner in ((self.sub, self.user), (self.user, self.user)):
            s2 = self.upload(key=owner)
            self.assertEqual(self.call("DELETE", "/session-management/sessions/%s" % s2, key)[0],
                             200)

    # ---- media ----
    def test_signed_media(self):
        sid = self.upload(title="media")
        other_sid = self.upload()
        st, doc = self.call("POST", "/session-management/sessions/by-ids/", self.admin,
                            body={"session_ids": [sid, other_sid]}, check=False)
        url = local(doc["sessions"][sid]["video_url"], self.srv)
        url2 = local(doc["sessions"][other_sid]["video_url"], self.srv)
        size = os.path.getsize(self.video)
        st, h, raw = fetch(url)
        self.assertEqual(st, 200, raw[:200])
        self.assertEqual(h["content-type"], "video/mp4")
        self.assertEqual(len(raw), size)
        with open(self.video, "rb") as f:
            original = f.read()
        self.assertEqual(raw, original)
        self.assertIn("bytes", h.get("accept-ranges", ""))
        st, h, raw = fetch(url, ["Range: bytes=0-99"])
        self.assertEqual(st, 206)
        self.assertEqual(h["content-range"], "bytes 0-99/%d" % size)
        self.assertEqual(raw, original[:100])
        st, h, raw = fetch(url, ["Range: bytes=%d-" % (size - 10)])
        self.assertEqual((st, raw), (206, original[-10:]))
        self.assertEqual(h["content-range"], "bytes %d-%d/%d" % (size - 10, size - 1, size))
        st, h, raw = fetch(url, ["Range: bytes=-5"])
        self.assertEqual((st, raw), (206, original[-5:]))
        st, h, _ = fetch(url, ["Range: bytes=%d-" % (size + 10)])
        self.assertEqual(st, 416)
        self.assertEqual(h.get("content-range"), "bytes */%d" % size)
        # tampered signature, another session's signature, a changed expires / disposition
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        q2 = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url2).query))
        sig = q["signature"]
        flipped = ("0" if sig[0] != "0" else "1") + sig[1:]
        file2 = urllib.parse.urlsplit(url2).path.rsplit("/", 1)[1]
        cases = [with_query(url, signature=flipped),
                 with_query(url, signature=q2["signature"], expires=q2["expires"]),
                 with_query(url, expires=str(int(q["expires"]) + 1)),
                 with_query(url, download="1"),
                 with_query(url, signature=""),
                 url.split("?")[0],
                 self.srv.url("/media/%s/%s?expires=%s&signature=%s"
                              % (sid, file2, q2["expires"], q2["signature"]))
                 if file2 != urllib.parse.urlsplit(url).path.rsplit("/", 1)[1]
                 else self.srv.url("/media/%s/thumb.jpg?expires=%s&signature=%s"
                                   % (sid, q["expires"], sig))]
        for bad in cases:
            st, h, raw = fetch(bad)
            self.assertEqual(st, 403, bad)
            self.assertIn(b"error", raw)
        # no Authorization is needed, and a key does not replace a signature
        st, _, _ = fetch(url.split("?")[0], ["API-KEY: %s" % self.admin])
        self.assertEqual(st, 403)
        # once deleted, the URL answers 404 (signature still good, file gone)
        self.assertEqual(self.call("DELETE", "/session-management/sessions/%s" % other_sid,
                                   self.admin)[0], 200)
        self.assertEqual(fetch(url2)[0], 404)

    def test_analyzed_video(self):
        sid = self.upload("jumping", title="analyzed")
        path = "/session-management/sessions/%s/analyzed-video/" % sid
        st, doc = self.call("GET", path, self.admin)
        self.assertEqual((st, doc), (404, {"error": "Session data not found"}))
        # a rendered video appears (the renderer's file name)
        target = os.path.join(self.srv.data_dir, "media", "sessions", sid, "analyzed.mp4")
        kz.make_video(target + ".tmp.mp4", seconds=1, size="160x120", rate=10)
        os.rename(target + ".tmp.mp4", target)
        st, doc = self.call("GET", path, self.admin)
        self.assertEqual(st, 200, doc)
        url = local(doc["analyzed_video_url"], self.srv)
        self.assertIn("/media/%s/analyzed.mp4?" % sid, url)
        st, h, raw = fetch(url)
        self.assertEqual((st, h["content-type"]), (200, "video/mp4"))
        self.assertEqual(len(raw), os.path.getsize(target))
        self.assertTrue(h.get("content-disposition", "inline").startswith("inline"))
        st, doc = self.call("GET", path + "?download=true", self.admin)
        self.assertEqual(st, 200)
        dl = local(doc["analyzed_video_url"], self.srv)
        self.assertIn("download=1", dl)
        st, h, _ = fetch(dl)
        self.assertEqual(st, 200)
        self.assertTrue(h["content-disposition"].startswith("attachment"), h)
        # the download URL's signature does not serve inline, and vice versa
        self.assertEqual(fetch(dl.replace("&download=1", ""))[0], 403)
        # the listing now carries it too
        st, doc = self.call("POST", "/session-management/sessions/by-ids/", self.admin,
                            body={"session_ids": [sid]}, check=False)
        self.assertIn("/media/%s/analyzed.mp4?" % sid, doc["sessions"][sid]["analyzed_video_url"])
        # foreign and unknown: identical 404
        a = self.call("GET", path, self.other["api_key"])
        b = self.call("GET", "/session-management/sessions/%s/analyzed-video/" % ZERO, self.admin)
        self.assertEqual(a, b)
        self.assertEqual(a, (404, {"error": "Session data not found"}))
        self.assertEqual(self.call("GET", path, None, check=False)[0], 401)

    # ---- export ----
    def test_export(self):
        sessions = {act: self.upload(act, title="exp " + act)
                    for act in ("running", "jumping", "weightlifting")}
        for act, sid in sessions.items():
            path = "/%s/sessions/%s/export/" % (act, sid)
            st, doc = self.call("GET", path, self.admin)
            self.assertEqual((st, doc), (404, {"error": "Session data not found"}), act)
        for act, sid in sessions.items():
            self.seed(sid)
            path = "/%s/sessions/%s/export/" % (act, sid)
            st, doc = self.call("GET", path, self.admin)
            self.assertEqual(st, 200, (act, doc))
            for k in ("keypoints", "angles", "all_timestamps", "metrics", "activity"):
                self.assertIn(k, doc, act)
            self.assertEqual(len(doc["all_timestamps"]), 300)
            self.assertEqual(doc["activity"], {"running": "Running", "jumping": "Vertical Jump",
                                               "weightlifting": "Weightlifting"}[act])
            self.assertEqual(len(doc["angles"]["rkne_angle"]), 300)
            if act == "running":
                self.assertIsInstance(doc["contact"], list)
            if act == "jumping":
                self.assertEqual(doc["title"], "exp jumping")
                self.assertEqual(doc["metrics"]["jump_height"], [0.31, 0.29])
            else:  # scalar metrics: the mean of per-step values
                self.assertAlmostEqual(doc["metrics"]["jump_height"], 0.30, places=6)
            # the wrong activity's route, another org, the user who does not own it, no key
            other_act = "running" if act != "running" else "jumping"
            self.assertEqual(self.call("GET", "/%s/sessions/%s/export/" % (other_act, sid),
                                       self.admin)[0], 404)
            a = self.call("GET", path, self.other["api_key"])
            b = self.call("GET", "/%s/sessions/%s/export/" % (act, ZERO), self.admin)
            self.assertEqual(a, b)
            self.assertEqual(a[0], 404)
            self.assertEqual(self.call("GET", path, self.user)[0], 404)
            self.assertEqual(self.call("GET", path, None, check=False)[0], 401)
        # the listing's metrics come from the results
        st, doc = self.call("POST", "/session-management/sessions/by-ids/", self.admin,
                            body={"session_ids": [sessions["jumping"]]}, check=False)
        self.assertIn("jump_height", doc["sessions"][sessions["jumping"]]["metrics"])


@unittest.skipIf(SKIP, SKIP or "")
class Expiry(Base):
    """A server whose media URLs live one second."""

    def test_expired_url(self):
        tmp = tempfile.mkdtemp(prefix="kz-exp-")
        self.srv = kz.Server(workers=0, extra=["--media-url-ttl-s", "1",
                                               "--public-url", "https://kz.example/base/"]).start()
        try:
            video = kz.make_video(os.path.join(tmp, "c.mp4"), seconds=1, size="160x120")
            st, body = kz.upload(self.srv.url("/running/sessions/"), self.srv.admin_key, video)
            self.assertEqual(st, 200, body)
            sid = body["session_id"]
            st, doc = self.call("GET", "/session-management/sessions/", self.srv.admin_key)
            url = doc["sessions"][sid]["video_url"]
            # --public-url is the base of every signed URL
            self.assertTrue(url.startswith("https://kz.example/base/media/%s/" % sid), url)
            url = local(url.replace("/base/", "/"), self.srv)
            self.assertEqual(fetch(url)[0], 200)
            time.sleep(2.5)
            st, _, raw = fetch(url)
            self.assertEqual(st, 403, raw)
            self.assertIn(b"error", raw)
        finally:
            code = self.srv.stop()
            self.srv.cleanup()
            shutil.rmtree(tmp, ignore_errors=True)
        self.assertEqual(code, 0)


@unittest.skipIf(SKIP, SKIP or "")
class RunningJob(Base):
    """DELETE of a session whose job is running: the worker stops and leaves nothing."""

    def test_delete_running_job(self):
        tmp = tempfile.mkdtemp(prefix="kz-run-")
        self.srv = kz.Server(workers=1, lease_s=1).start()
        key = self.srv.admin_key
        try:
            long = kz.make_video(os.path.join(tmp, "long.mp4"), seconds=25, size="640x360",
                                 rate=30)
            small = kz.make_video(os.path.join(tmp, "small.mp4"), seconds=1, size="160x120")
            st, body = kz.upload(self.srv.url("/running/sessions/"), key, long)
            self.assertEqual(st, 200, body)
            sid = body["session_id"]
            deadline = time.time() + 60
            while time.time() < deadline:
                st, doc = kz.request("GET", self.srv.url(
                    "/session-management/sessions/%s/status/" % sid), key=key)
                if doc["status"] == "processing":
                    break
                self.assertEqual(doc["status"], "queued", doc)
                time.sleep(0.02)
            self.assertEqual(doc["status"], "processing", "job never started")
            st, body = self.call("DELETE", "/session-management/sessions/%s" % sid, key)
            self.assertEqual(st, 200, body)
            d = os.path.join(self.srv.data_dir, "media", "sessions", sid)
            # the worker notices at its next heartbeat and removes what it wrote since
            deadline = time.time() + 30
            while time.time() < deadline and os.path.exists(d):
                time.sleep(0.1)
            time.sleep(3)
            self.assertFalse(os.path.exists(d), kz.files_under(d))
            self.assertEqual(kz.files_under(os.path.join(self.srv.data_dir, "tmp")), [])
            # and it moved on: the next job completes
            st, body = kz.upload(self.srv.url("/running/sessions/"), key, small)
            self.assertEqual(st, 200, body)
            doc = kz.wait_status(self.srv, body["session_id"], key, timeout=240)
            kz.assert_processed(self, doc)  # a person-less clip may fail in analysis
            self.assertFalse(os.path.exists(d))
        finally:
            code = self.srv.stop()
            log = self.srv.read_log()
            self.srv.cleanup()
            shutil.rmtree(tmp, ignore_errors=True)
        self.assertEqual(code, 0, log[-3000:])


if __name__ == "__main__":
    unittest.main(verbosity=2)
