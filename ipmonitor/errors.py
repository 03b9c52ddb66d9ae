"""The exceptions ipmonitor raises, and the exit code each one means.

    IpmonitorError            base; `str(e)` is one line for the officer
     ├── UsageError           exit 2: wrong command-line use
     ├── ConfigError          exit 2: ipmonitor.toml is invalid (names the key)
     ├── FileFailed           exit 1: an input file cannot be imported at all
     ├── RuleViolation        exit 1: a subsidy rule or state transition refused
     ├── VerifyFailed         exit 1: the subsidy hash chain does not verify
     └── AlreadyRunning       exit 2: another `serve` holds this home

The CLI turns these into one line on stderr and the exit code; nothing else
in the package knows about click.
"""


class IpmonitorError(Exception):
    exit_code = 1


class UsageError(IpmonitorError):
    exit_code = 2


class ConfigError(IpmonitorError):
    exit_code = 2


class FileFailed(IpmonitorError):
    """A file failed whole: nothing from it is stored."""


class RuleViolation(IpmonitorError):
    """A subsidy claim or event breaks a rule; nothing is stored."""


class VerifyFailed(IpmonitorError):
    pass


class AlreadyRunning(IpmonitorError):
    exit_code = 2
