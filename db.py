"""The store's front door: the engine, sessions and the public names of the store.

Every job sits in the `store/` package beside this file: `models` (tables), `engine` (engine, sessions),
`schema` (create, upgrade, fill), `sync` (policy catalogue → store), `policy_import` / `policy_export` (a policy
confirmed from its 任务分解表, kept in the store; written back as TOML), `writes` (audited writes with
compare-and-set), `snapshots` (meeting snapshots), `reads` (DataFrames). Callers use `db.<name>`."""
from __future__ import annotations

from store.accounts import (
                          User,
                          canonical_departments,
                          create_user,
                          read_users,
                          set_password_hash,
                          update_user,
)
from store.attachment_table import Attachment
from store.attachments import attachment_file, count_attachments, read_attachments
from store.backup import BackupError, BackupReport, backup, restore
from store.engine import (
                          DEFAULT_DB_PATH,
                          ConcurrentEditError,
                          database_url,
                          make_engine,
                          now,
                          session_scope,
)
from store.migrations import (
                          SchemaMismatchError,
                          current_revisions,
                          head_revisions,
                          new_revision,
)
from store.migrations import history as migration_history
from store.migrations import upgrade as upgrade_schema
from store.milestone_tables import Chase, ExtensionRequest, Milestone
from store.milestones import (
                          MilestoneError,
                          load_milestones,
                          read_chases,
                          read_extensions,
                          read_milestones,
)
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
                          ObservationVintage,
                          Policy,
                          Region,
                          Snapshot,
                          SnapshotRow,
                          Target,
                          Task,
                          TaskProgress,
                          TaskUnit,
)
from store.policy_export import export_policy
from store.policy_import import differences as policy_differences
from store.policy_import import (
                          policy_origin,
                          save_imported_policy,
                          stored_policy,
)
from store.reads import (
                          data_version,
                          dump,
                          read_audit,
                          read_batches,
                          read_indicators,
                          read_observations,
                          read_policies,
                          read_progress,
                          read_regions,
                          read_targets,
                          read_task_units,
                          read_tasks,
                          read_vintages,
                          read_year_pairs,
)
from store.revert import REVERTIBLE, revert_batch, revert_change
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
from store.vintages import order_key as vintage_order
from store.writes import (
                          add_progress,
                          delete_observation,
                          observation_key,
                          period_from_label,
                          period_label,
                          save_observations,
)

__all__ = ["Attachment", "attachment_file", "count_attachments", "read_attachments",
           "User", "canonical_departments", "create_user", "read_users", "set_password_hash", "update_user",
           "BackupError", "BackupReport", "backup", "restore",
           "DEFAULT_DB_PATH", "database_url", "make_engine", "now", "session_scope",
           "SYSTEM_USER", "Area", "AuditLog", "Base", "Department", "Indicator", "Observation", "Policy", "Region",
           "Snapshot", "SnapshotRow", "Target", "Task", "TaskProgress", "TaskUnit",
           "SchemaMismatchError", "current_revisions", "head_revisions", "migration_history", "new_revision",
           "upgrade_schema",
           "data_version", "dump", "read_audit", "read_year_pairs", "read_indicators", "read_observations",
           "read_policies", "read_progress", "read_regions", "read_targets", "read_task_units", "read_tasks",
           "BUILTIN_OBSERVATIONS", "BUILTIN_PROGRESS", "create_schema", "init_db", "load_builtin_observations",
           "SNAPSHOT_COLUMNS", "read_snapshot", "read_snapshots", "save_snapshot",
           "department_resolver", "ensure_region", "load_catalogue", "normalise_name",
           "ConcurrentEditError", "add_progress", "delete_observation", "observation_key", "period_from_label",
           "period_label", "revert_change", "save_observations",
           "DataVersion", "ObservationTombstone", "REVERTIBLE", "delete_snapshot", "never_had_data", "open_db",
           "ObservationVintage", "read_vintages", "vintage_order",
           "read_batches", "rename_snapshot", "revert_batch",
           "Chase", "ExtensionRequest", "Milestone", "MilestoneError",
           "load_milestones", "read_chases", "read_extensions", "read_milestones",
           "export_policy", "policy_differences", "policy_origin", "save_imported_policy", "stored_policy"]
