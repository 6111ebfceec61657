# Excerpt from SQLAlchemy 2.0.36, lib/sqlalchemy/engine/events.py (MIT licence)
class ConnectionEvents(event.Events[ConnectionEventsTarget]):
    def rollback_savepoint(
        self, conn: Connection, name: str, context: None
    ) -> None:
        """Intercept rollback_savepoint() events.

        :param conn: :class:`_engine.Connection` object
        :param name: specified name used for the savepoint.
        :param context: not used

        """
        # TODO: deprecate "context"
