# Excerpt from Twisted 24.11.0, src/twisted/mail/smtp.py (MIT licence)
class SMTPClient(basic.LineReceiver, policies.TimeoutMixin):
    ##
    # these methods should be overridden in subclasses
    def getMailFrom(self):
        """
        Return the email address the mail is from.
        """
        raise NotImplementedError

    def getMailTo(self):
        """
        Return a list of emails to send to.
        """
        raise NotImplementedError


class SenderMixin:
    def getMailFrom(self):
        if not self.factory.done:
            borrowed = self.factory.fromEmail
            self.factory.fromEmail = None
            return borrowed
        else:
            return None

    def getMailTo(self):
        return self.factory.toEmail


class SMTPSender(SenderMixin, SMTPClient):
    pass
