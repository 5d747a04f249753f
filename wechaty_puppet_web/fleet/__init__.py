"""Many accounts from one fleet file: the runner, its status file, metrics and tagged logs.

``wechaty-web fleet FLEET.toml`` runs a fleet; ``wechaty-web fleet status FLEET.toml`` prints its
status. Module map: ``config`` (the fleet file), ``runner`` (supervision), ``status`` (the status
file and its table), ``metrics`` (Prometheus), ``logs`` (account-tagged log lines).
"""

from .config import AccountConfig, FleetConfig, load_fleet
from .runner import AccountRunner, Fleet
from .status import AccountStatus, read_status, status_table

__all__ = [
    "AccountConfig",
    "AccountRunner",
    "AccountStatus",
    "Fleet",
    "FleetConfig",
    "load_fleet",
    "read_status",
    "status_table",
]
