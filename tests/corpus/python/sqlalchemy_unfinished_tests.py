# Excerpt from SQLAlchemy 2.0.36, test/base/test_utils.py (MIT licence)
class IdentitySetTest(fixtures.TestBase):
    def test_update(self):
        pass  # TODO

    def test_difference_update(self):
        pass  # TODO
