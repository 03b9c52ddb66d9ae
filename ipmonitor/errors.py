"""Every exception ipmonitor raises, and the exit code each one means.

    IpmonitorError            base; `str(e)` is one line for the officer
     ├── UsageError           exit 2: wrong command-line use
     │    └── NotAHome        exit 2: no home named, and the current folder is none
     ├── ConfigError          exit 2: ipmonitor.toml is invalid (names the key)
     ├── AlreadyRunning       exit 2: another `serve` holds this home
     ├── FileFailed           exit 1: an input file cannot be imported at all
     ├── RuleViolation        exit 1: a subsidy rule or state transition refused (`.rule`, `.detail`)
     ├── VerifyFailed         exit 1: the subsidy hash chain does not verify
     ├── DatabaseError        exit 1: the database cannot be opened or migrated
     ├── ReportFailed         exit 1: the pages could not be built or published
     ├── BackupFailed         exit 1: a backup could not be written or did not verify
     ├── CorrectionRefused    exit 1: a revert, dismissal or override cannot be made as asked
     ├── WebUnavailable       exit 2: `serve` cannot listen on [web] listen (port in use …)
     └── MailFailed           exit 1: the weekly mail could not be sent (a failed run)

    FetchProblem              not an IpmonitorError: one HTTP attempt of `sources` went wrong;
     ├── FetchRetryable       worth another attempt (connection, timeout, 5xx; `.retry_after`)
     └── FetchFailed          not worth one (4xx, HTML instead of an export, a shutdown)
    Both stay inside `sources.fetch_source`, which turns them into a failed result.

The CLI turns IpmonitorError into one line on stderr and the exit code;
nothing else in the package knows about click.
"""


class IpmonitorError(Exception):
    exit_code = 1


class UsageError(IpmonitorError):
    exit_code = 2


class ConfigError(IpmonitorError):
    exit_code = 2


class AlreadyRunning(IpmonitorError):
    exit_code = 2


class FileFailed(IpmonitorError):
    """A file failed whole: nothing from it is stored. `code` names the kind of failure (stable,
    for JSON and tests); `en` is the English line when the message was made in both languages."""

    def __init__(self, message: str, code: str | None = None, en: str | None = None):
        super().__init__(message)
        self.code = code
        self.en = en

    def text(self, language: str = "zh-CN") -> str:
        return self.en if language == "en" and self.en else str(self)


class RuleViolation(IpmonitorError):
    """A subsidy claim or event breaks a rule; nothing is stored. `ledger.refuse` sets `.rule`, `.detail`."""

    rule: str = "rule"
    detail: str = ""


class VerifyFailed(IpmonitorError):
    """The subsidy log's hash chain does not verify (`subsidy verify`)."""


class DatabaseError(IpmonitorError):
    """The database file cannot be opened or migrated."""


class ReportFailed(IpmonitorError):
    """The pages could not be built or published; the previous pages are left as they were."""


class BackupFailed(IpmonitorError):
    """The backup could not be written or did not verify; earlier backups are untouched."""


class NotAHome(UsageError):
    """No --home, no IPMONITOR_HOME, and the current folder holds neither config nor database."""


class CorrectionRefused(IpmonitorError):
    """A correction that cannot be made as asked; the message names what blocks it."""


class FetchProblem(Exception):
    """One attempt to download a source went wrong (internal to `sources`)."""


class FetchRetryable(FetchProblem):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class FetchFailed(FetchProblem):
    pass


class WebUnavailable(IpmonitorError):
    exit_code = 2


class MailFailed(IpmonitorError):
    """The SMTP server could not be reached or refused the mail; nothing was delivered."""
