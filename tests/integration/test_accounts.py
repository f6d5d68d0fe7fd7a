"""Accounts over real HTTP: authentication (three header forms, missing, unknown,
revoked keys), routing (trailing slash, 404/405 JSON), users, organization
status and API keys, across the role matrix (admin, sub-admin, user, other
organization). Starts the real binary on an ephemeral port."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kz  # noqa: E402

try:
    import swagger  # vendor-spec validator (tests/integration/swagger.py)
    SPEC = swagger.load_spec()
except Exception:  # noqa: BLE001 - optional: PyYAML or ../shared missing
    swagger, SPEC = None, None

SKIP = kz.skip_unless_tools()
ADMIN_ONLY = "You must be an admin to access this data."
NO_PERMISSION = "You do not have permission to perform this action."


@unittest.skipIf(SKIP, SKIP or "")
class Accounts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = kz.Server(workers=0).start()
        cls.admin = cls.srv.admin_key
        assert cls.admin and cls.admin.startswith("kz_")
        # a second organization, created while the server runs
        cls.other = kz.admin_create(cls.srv.data_dir, "boss@other.example", name="Other Boss",
                                    organization="Other Org")
        # a sub-admin and an athlete in the first organization, each with a key
        cls.sub_id, cls.sub = cls.member("coach@example.com", "Coach", "sub_admin")
        cls.user_id, cls.user = cls.member("athlete@example.com", "Athlete", "user")
        st, body = kz.request("GET", cls.srv.url("/user-management/organization-status/"),
                              key=cls.admin)
        assert st == 200, body
        cls.admin_id = body["uid"]

    @classmethod
    def member(cls, email, name, role):
        return kz.add_member(cls.srv, cls.admin, email, name, role)

    @classmethod
    def tearDownClass(cls):
        code = cls.srv.stop()
        log = cls.srv.read_log()
        cls.srv.cleanup()
        assert code == 0, "server exit code %s\n%s" % (code, log[-3000:])

    def get(self, path, key, **kw):
        return kz.request("GET", self.srv.url(path), key=key, **kw)

    # ---- authentication ----
    def test_header_forms(self):
        for style in ("api-key", "authorization", "bearer"):
            st, body = self.get("/user-management/organization-status/", self.admin, style=style)
            self.assertEqual(st, 200, (style, body))
            self.assertEqual(body["role"], "admin")

    def test_missing_and_bad_keys(self):
        st, body = self.get("/user-management/users/", None)
        self.assertEqual((st, body), (401, {"error": "No token provided."}))
        for bad in ("nonsense", "kz_0000000000000000_AAAA", self.admin[:-2] + "xx",
                    "kz_zzzz_abc", "kz_" + "a" * 300):
            st, body = self.get("/user-management/users/", bad)
            self.assertEqual(st, 401, bad)
            self.assertIn("error", body)

    def test_revoked_key(self):
        st, body = kz.request("POST", self.srv.url("/api-management/keys/"), key=self.admin,
                              body={"title": "temp", "domain": "x.example"})
        self.assertEqual(st, 201, body)
        key, key_id = body["api_key"], body["key_id"]
        self.assertEqual(self.get("/user-management/users/", key)[0], 200)
        st, body = kz.request("PATCH", self.srv.url("/api-management/keys/status/"),
                              key=self.admin, body={"key_id": key_id, "is_active": False})
        self.assertEqual((st, body),
                         (200, {"message": "API key %s set to is_active=False." % key_id}))
        self.assertEqual(self.get("/user-management/users/", key)[0], 401)
        # the same change again is "not changed"
        st, body = kz.request("PATCH", self.srv.url("/api-management/keys/status/"),
                              key=self.admin, body={"key_id": key_id, "is_active": False})
        self.assertEqual((st, body["error"]),
                         (404, "API key doc not found or status not changed."))
        st, _ = kz.request("PATCH", self.srv.url("/api-management/keys/status/"),
                           key=self.admin, body={"key_id": key_id, "is_active": True})
        self.assertEqual(st, 200)
        self.assertEqual(self.get("/user-management/users/", key)[0], 200)

    # ---- routing ----
    def test_routing(self):
        self.assertEqual(self.get("/user-management/users", self.admin)[0], 200)
        self.assertEqual(self.get("/user-management/users/", self.admin)[0], 200)
        st, body = self.get("/no/such/route/", self.admin)
        self.assertEqual((st, body), (404, {"error": "Not found."}))
        st, body = kz.request("DELETE", self.srv.url("/user-management/organization-status/"),
                              key=self.admin)
        self.assertEqual((st, body), (405, {"error": "Method not allowed."}))
        st, body = kz.request("POST", self.srv.url("/user-management/users/"), key=self.admin,
                              raw="{not json")
        self.assertEqual(st, 400)
        self.assertIn("JSON", body["error"])

    # ---- users ----
    def test_users_create_validation(self):
        url = self.srv.url("/user-management/users/")
        st, body = kz.request("POST", url, key=self.admin, body={"email": "a@b.example"})
        self.assertEqual((st, body["error"]), (400, "Email and display name are required."))
        st, body = kz.request("POST", url, key=self.admin,
                              body={"email": "not-an-email", "display_name": "X"})
        self.assertEqual(st, 400)
        self.assertIn("email", body["error"])
        st, body = kz.request("POST", url, key=self.admin,
                              body={"email": "athlete@example.com", "display_name": "Dup"})
        self.assertEqual(st, 409)
        st, body = kz.request("POST", url, key=self.admin,
                              body={"email": "r@b.example", "display_name": "R", "role": "god"})
        self.assertEqual(st, 400)
        self.assertIn("role", body["error"])
        # a sub-admin may add athletes but not sub-admins; a user may add nobody
        st, body = kz.request("POST", url, key=self.sub,
                              body={"email": "s2@b.example", "display_name": "S", "role":
                                    "sub_admin"})
        self.assertEqual(st, 403)
        st, body = kz.request("POST", url, key=self.user,
                              body={"email": "u2@b.example", "display_name": "U"})
        self.assertEqual((st, body["error"]), (403, ADMIN_ONLY))

    def test_users_crud_and_isolation(self):
        url = self.srv.url("/user-management/users/")
        st, body = kz.request("POST", url, key=self.sub,
                              body={"email": "crud@example.com", "display_name": "Crud",
                                    "phone": "123"})
        self.assertEqual(st, 201, body)
        self.assertEqual(set(body["userData"]), {"user_uid", "email", "display_name", "phone",
                                                 "role"})
        uid = body["userData"]["user_uid"]
        # read it back: vendor user object
        st, doc = self.get("/user-management/users/%s" % uid, self.admin)
        self.assertEqual(st, 200)
        for k in ("created_at", "weight", "age", "ycom", "height", "phone", "leg_length",
                  "display_name", "shoeSize", "email", "gender", "brand", "shoeModel",
                  "user_uid"):
            self.assertIn(k, doc)
        self.assertRegex(doc["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        # update with every field; bad types name the field
        st, body = kz.request("PUT", url, key=self.admin,
                              body={"user_uid": uid, "height": 181.5, "weight": 75,
                                    "ycom": 1.01, "leg_length": 0.95, "gender": "Female",
                                    "age": "30", "shoeSize": "8", "brand": "B",
                                    "shoeModel": "M", "display_name": "Crud 2"})
        self.assertEqual((st, body), (200, {"message": "User information updated successfully."}))
        st, doc = self.get("/user-management/users/%s/" % uid, self.admin)
        self.assertEqual((doc["height"], doc["age"], doc["display_name"]),
                         (181.5, "30", "Crud 2"))
        for field, value in (("height", "tall"), ("age", 30), ("weight", -5),
                             ("email", "nope")):
            st, body = kz.request("PUT", url, key=self.admin, body={"user_uid": uid,
                                                                      field: value})
            self.assertEqual(st, 400, field)
            self.assertIn(field, body["error"])
        st, body = kz.request("PUT", url, key=self.admin, body={"height": 1})
        self.assertEqual((st, body["error"]), (400, "User UID is required."))
        # the other organization sees it exactly like an unknown id
        other = self.other["api_key"]
        unknown = self.get("/user-management/users/NoSuchUser0000000000", other)
        foreign = self.get("/user-management/users/%s" % uid, other)
        self.assertEqual(foreign, unknown)
        self.assertEqual(foreign[0], 404)
        for method in ("PUT", "DELETE"):
            a = kz.request(method, url, key=other, body={"user_uid": uid})
            b = kz.request(method, url, key=other, body={"user_uid": "NoSuchUser0000000000"})
            self.assertEqual(a, b)
            self.assertEqual(a[0], 404)
        # an athlete may read itself only
        self.assertEqual(self.get("/user-management/users/%s" % self.user_id, self.user)[0], 200)
        st, body = self.get("/user-management/users/%s" % uid, self.user)
        self.assertEqual((st, body["error"]), (403, ADMIN_ONLY))
        st, _ = kz.request("PUT", url, key=self.user, body={"user_uid": self.user_id,
                                                              "height": 170})
        self.assertEqual(st, 200)
        st, _ = kz.request("PUT", url, key=self.user, body={"user_uid": uid, "height": 170})
        self.assertEqual(st, 403)
        # delete: admin yes, user no, then it is gone
        st, _ = kz.request("DELETE", url, key=self.user, body={"user_uid": uid})
        self.assertEqual(st, 403)
        st, body = kz.request("DELETE", url, key=self.admin, body={"user_uid": uid})
        self.assertEqual((st, body),
                         (200, {"message": "User with UID %s deleted from admin" % uid}))
        self.assertEqual(self.get("/user-management/users/%s" % uid, self.admin)[0], 404)
        st, body = kz.request("DELETE", url, key=self.admin, body={"user_uid": self.admin_id})
        self.assertEqual(st, 400)

    def test_users_list_and_filter(self):
        ids = []
        for i in range(4):
            st, body = kz.request("POST", self.srv.url("/user-management/users/"), key=self.admin,
                                  body={"email": "page%d@example.com" % i,
                                        "display_name": "Page %d" % i})
            self.assertEqual(st, 201)
            ids.append(body["userData"]["user_uid"])
        st, body = self.get("/user-management/users/", self.admin)
        self.assertEqual(st, 200)
        listed = [u["user_uid"] for u in body["users"]]
        for uid in ids + [self.sub_id, self.user_id]:
            self.assertIn(uid, listed)
        self.assertNotIn(self.admin_id, listed)
        self.assertEqual(self.get("/user-management/users/", self.sub)[0], 200)
        self.assertEqual(self.get("/user-management/users/", self.user)[0], 403)
        # the other organization sees none of them
        st, body = self.get("/user-management/users/", self.other["api_key"])
        self.assertEqual((st, body), (200, {"users": []}))
        st, body = self.get("/user-management/users/filter/", self.other["api_key"])
        self.assertEqual((st, body["error"]), (404, "No users found under admin"))
        # paging visits every user exactly once
        seen, cursor = [], None
        while True:
            q = "?limit=2" + ("&start_after_id=%s" % cursor if cursor else "")
            st, body = self.get("/user-management/users/filter/" + q, self.admin)
            if st == 404:
                break
            self.assertEqual(st, 200)
            self.assertLessEqual(len(body["users"]), 2)
            self.assertEqual(body["query_count"], len(body["users"]))
            self.assertEqual(body["first_uid"], body["users"][0]["user_uid"])
            seen += [u["user_uid"] for u in body["users"]]
            cursor = body["last_uid"]
        self.assertEqual(sorted(seen), sorted(set(listed)))
        self.assertEqual(len(seen), len(set(seen)))
        st, body = self.get("/user-management/users/filter/?limit=2&end_before_id=%s" % seen[2],
                            self.admin)
        self.assertEqual([u["user_uid"] for u in body["users"]], seen[:2])
        st, body = self.get("/user-management/users/filter/?limit=0", self.admin)
        self.assertEqual((st, body["error"]), (400, "Invalid limit parameter"))

    def test_organization_status(self):
        st, body = self.get("/user-management/organization-status/", self.admin)
        self.assertEqual(st, 200)
        for k in ("session_number", "uid", "role", "payment_type", "activity", "companyName",
                  "name"):
            self.assertIn(k, body)
        self.assertEqual(body["activity"], ["Running", "VerticalJump", "Weightlifting"])
        st, body = self.get("/user-management/organization-status/", self.sub)
        self.assertEqual((st, body["role"], body["uid"]), (200, "sub_admin", self.sub_id))
        st, body = self.get("/user-management/organization-status/", self.user)
        self.assertEqual((st, body["error"]), (403, ADMIN_ONLY))
        st, body = self.get("/user-management/organization-status/", self.other["api_key"])
        self.assertEqual((body["companyName"], body["session_number"]), ("Other Org", 0))

    # ---- compatibility with the vendor's response schemas ----
    @unittest.skipIf(SPEC is None, "vendor spec (../shared/api) or PyYAML not available")
    def test_vendor_schemas(self):
        calls = [
            ("GET", "/user-management/organization-status/", None),
            ("GET", "/user-management/users/", None),
            ("GET", "/user-management/users/filter/?limit=2", None),
            ("GET", "/user-management/users/%s" % self.user_id, None),
            ("POST", "/user-management/users/", {"email": "schema@example.com",
                                                 "display_name": "Schema"}),
            ("PUT", "/user-management/users/", {"user_uid": self.user_id, "weight": 70}),
            ("GET", "/api-management/keys/", None),
            ("POST", "/api-management/keys/", {"title": "schema", "domain": "s.example"}),
            ("POST", "/user-management/users/", {"email": "x"}),          # 400
            ("GET", "/user-management/users/NoSuchUser0000000000", None),  # 404
        ]
        for method, path, body in calls:
            st, doc = kz.request(method, self.srv.url(path), key=self.admin, body=body)
            self.assertEqual(swagger.check(path, method.lower(), st, doc), [],
                             (method, path, st, doc))
            if method == "POST" and path == "/api-management/keys/":
                key_id = doc["key_id"]
        for method, path, body in [
                ("PATCH", "/api-management/keys/", {"key_id": key_id, "title": "s2"}),
                ("PATCH", "/api-management/keys/status/", {"key_id": key_id,
                                                           "is_active": False})]:
            st, doc = kz.request(method, self.srv.url(path), key=self.admin, body=body)
            self.assertEqual(swagger.check(path, method.lower(), st, doc), [], (path, doc))
        st, doc = kz.request("GET", self.srv.url("/user-management/users/"), key=None)
        self.assertEqual(swagger.check("/user-management/users/", "get", st, doc), [])

    # ---- API keys ----
    def test_keys(self):
        url = self.srv.url("/api-management/keys/")
        other = kz.admin_create(self.srv.data_dir, "keys@third.example", organization="Third")
        k = other["api_key"]
        st, body = kz.request("GET", url, key=k)
        self.assertEqual(st, 200)
        self.assertEqual(len(body["tokens"]), 1)
        tok = body["tokens"][0]
        for f in ("key_id", "title", "allowed_domain", "is_active", "created_at"):
            self.assertIn(f, tok)
        self.assertNotIn("description", tok)  # none given: omitted (the schema says string)
        self.assertNotIn("api_key", tok)
        self.assertNotIn(k, str(body))  # the secret is never listed
        st, body = kz.request("POST", url, key=k, body={"title": "x"})
        self.assertEqual((st, body["error"]), (400, "title and domain are required."))
        made = []
        for i in range(4):
            st, body = kz.request("POST", url, key=k, body={"title": "k%d" % i,
                                                            "domain": "d.example",
                                                            "description": "n%d" % i})
            self.assertEqual(st, 201, body)
            self.assertEqual(set(body), {"api_key", "key_id"})
            made.append(body)
        st, body = kz.request("POST", url, key=k, body={"title": "k5", "domain": "d.example"})
        self.assertEqual((st, body["error"]),
                         (404, "API key limit reached. You cannot create more keys. (Limit: 5)"))
        # new keys work
        st, _ = kz.request("GET", self.srv.url("/user-management/users/"),
                           key=made[0]["api_key"])
        self.assertEqual(st, 200)
        # update
        st, body = kz.request("PATCH", url, key=k, body={"key_id": made[1]["key_id"],
                                                         "title": "renamed",
                                                         "domain": "new.example"})
        self.assertEqual((st, body), (200, {"message": "API key updated successfully."}))
        st, body = kz.request("GET", url, key=k)
        got = [t for t in body["tokens"] if t["key_id"] == made[1]["key_id"]][0]
        self.assertEqual((got["title"], got["allowed_domain"], got["description"]),
                         ("renamed", "new.example", "n1"))
        st, body = kz.request("PATCH", url, key=k, body={"title": "x"})
        self.assertEqual((st, body["error"]), (400, "key_id is required."))
        st, body = kz.request("PATCH", url, key=k, body={"key_id": made[1]["key_id"],
                                                         "title": 5})
        self.assertEqual(st, 400)
        self.assertIn("title", body["error"])
        # another organization's key: exactly like an unknown one
        a = kz.request("PATCH", url, key=self.admin, body={"key_id": made[1]["key_id"],
                                                           "title": "hijack"})
        b = kz.request("PATCH", url, key=self.admin, body={"key_id": "0000000000000000",
                                                           "title": "hijack"})
        self.assertEqual(a, b)
        self.assertEqual(a, (404, {"error": "Document not found."}))
        st, body = kz.request("PATCH", self.srv.url("/api-management/keys/status/"), key=k,
                              body={"key_id": made[1]["key_id"]})
        self.assertEqual((st, body["error"]), (400, "key_id and is_active fields are required."))
        # only an admin manages keys
        for key in (self.sub, self.user):
            st, body = kz.request("GET", url, key=key)
            self.assertEqual((st, body["error"]), (403, NO_PERMISSION))
            st, body = kz.request("POST", url, key=key, body={"title": "t", "domain": "d"})
            self.assertEqual(st, 403)


if __name__ == "__main__":
    unittest.main(verbosity=2)
