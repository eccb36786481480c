"""The store's front door: the engine, sessions and the public names of the store.

Every job sits in the `store/` package beside this file: `models` (tables), `engine` (engine, sessions),
`schema` (create, upgrade, fill), `sync` (policy catalogue → store), `writes` (audited writes with
compare-and-set), `snapshots` (meeting snapshots), `reads` (DataFrames). Callers use `db.<name>`."""
from __future__ import annotations

from store.engine import DEFAULT_DB_PATH, ConcurrentEditError, database_url, make_engine, now, session_scope
from store.models import (
                          SYSTEM_USER,
                          Area,
                          AuditLog,
                          Base,
                          DataVersion,
                          Department,
                          Indicator,
                          Observation,
                          ObservationTombstone,
                          Policy,
                          Region,
                          Snapshot,
                          SnapshotRow,
                          Target,
                          Task,
                          TaskProgress,
                          TaskUnit,
)
from store.reads import (
                          data_version,
                          read_batches,
                          dump,
                          read_audit,
                          read_growth,
                          read_indicators,
                          read_observation_years,
                          read_observations,
                          read_policies,
                          read_progress,
                          read_regions,
                          read_targets,
                          read_task_units,
                          read_tasks,
)
from store.schema import (
                          BUILTIN_OBSERVATIONS,
                          BUILTIN_PROGRESS,
                          create_schema,
                          init_db,
                          load_builtin_observations,
                          never_had_data,
                          open_db,
)
from store.snapshots import (
                          SNAPSHOT_COLUMNS,
                          delete_snapshot,
                          read_snapshot,
                          read_snapshots,
                          rename_snapshot,
                          save_snapshot,
)
from store.sync import (
                          department_resolver,
                          ensure_region,
                          load_catalogue,
                          normalise_name,
)
from store.writes import (
                          add_progress,
                          delete_observation,
                          observation_key,
                          parse_period,
                          period_label,
                          REVERTIBLE,
                          revert_batch,
                          revert_change,
                          save_observations,
)

__all__ = ["DEFAULT_DB_PATH", "database_url", "make_engine", "now", "session_scope",
           "SYSTEM_USER", "Area", "AuditLog", "Base", "DataVersion", "Department", "Indicator", "Observation", "ObservationTombstone", "Policy", "Region",
           "Snapshot", "SnapshotRow", "Target", "Task", "TaskProgress", "TaskUnit",
           "data_version", "read_batches", "dump", "read_audit", "read_growth", "read_indicators", "read_observation_years",
           "read_observations", "read_policies", "read_progress", "read_regions", "read_targets",
           "read_task_units", "read_tasks",
           "BUILTIN_OBSERVATIONS", "BUILTIN_PROGRESS", "create_schema", "init_db", "load_builtin_observations", "never_had_data", "open_db",
           "SNAPSHOT_COLUMNS", "delete_snapshot", "read_snapshot", "read_snapshots", "rename_snapshot",
           "save_snapshot",
           "department_resolver", "ensure_region", "load_catalogue", "normalise_name",
           "ConcurrentEditError", "add_progress", "delete_observation", "observation_key", "parse_period",
           "period_label", "REVERTIBLE", "revert_batch", "revert_change", "save_observations"]
