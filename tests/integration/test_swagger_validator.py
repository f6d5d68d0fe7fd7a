"""The vendor-spec validator itself: it must accept conforming documents and
reject ones that break the contract (so compatibility checks can fail)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import swagger  # noqa: E402

SPEC = swagger.load_spec()


@unittest.skipIf(SPEC is None, "vendor spec (../shared/api) or PyYAML not available")
class ValidatorTest(unittest.TestCase):
    def test_upload_response(self):
        ok = {"session_id": "5d5c8d7fcd6945f2936ced84f9a20562", "title": "Run"}
        self.assertEqual(swagger.check("/running/sessions/", "post", 200, ok), [])
        self.assertTrue(swagger.check("/running/sessions/", "post", 200, {"title": "x"}))
        self.assertTrue(swagger.check("/running/sessions/", "post", 200,
                                      {"session_id": 5, "title": "x"}))

    def test_path_parameters_match(self):
        tmpl, op = swagger.find_operation(SPEC, "/jumping/sessions/abc123/export/", "get")
        self.assertEqual(tmpl, "/jumping/sessions/{session_id}/export/")
        tmpl, op = swagger.find_operation(SPEC, "/session-management/sessions/filter/", "get")
        self.assertEqual(tmpl, "/session-management/sessions/filter/")
        tmpl, op = swagger.find_operation(SPEC, "/session-management/sessions/abc", "put")
        self.assertEqual(tmpl, "/session-management/sessions/{session_id}")

    def test_error_shape(self):
        self.assertEqual(swagger.check("/running/sessions/", "post", 401,
                                       {"error": "No token provided."}), [])
        self.assertTrue(swagger.check("/running/sessions/", "post", 401, {"err": 1}) or
                        swagger.check("/running/sessions/", "post", 401, {"error": 1}))

    def test_undocumented_status_is_reported(self):
        self.assertTrue(swagger.check("/running/sessions/", "post", 418, {}))


if __name__ == "__main__":
    unittest.main()
