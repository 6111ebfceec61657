# Excerpt from SQLAlchemy 2.0.36, lib/sqlalchemy/orm/context.py (MIT licence)
class _BundleEntity(_QueryEntity):
    _extra_entities = ()

    def corresponds_to(self, entity):
        # TODO: we might be able to implement this but for now
        # we are working around it
        return False
