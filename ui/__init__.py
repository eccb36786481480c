"""What every page shares, in one namespace (`ui.status(...)`, `ui.sidebar_filters()`): the cached store and frames
(ui.cache), the engine's results cached per data version (ui.results), the sidebar (ui.sidebar), lookups in the
catalogue (ui.lookups), the 示例数据 banner and status badge (ui.badges), a chart shown in the house style (ui.plots), and who is logged in (ui.login). Nothing
here computes a metric."""
from ui.badges import sample_banner, status_badge, value_counts  # noqa: F401
from ui.cache import (  # noqa: F401
    catalogue_frames,
    data_version,
    engine,
    figure,
    frames,
    settings,
)
from ui.login import account, account_box, reading_closed, reading_gate, write_scope  # noqa: F401
from ui.lookups import (  # noqa: F401
    benchmark_region,
    observations_of,
    policy_row,
    policy_title,
    unit_options,
)
from ui.plots import show_chart  # noqa: F401
from ui.results import (  # noqa: F401
    area_figure,
    audit,
    band_history,
    bulletin_docx,
    changes,
    chart_series,
    clear_data_caches,
    deadlines,
    deck_data,
    deck_plan,
    growth_comparison,
    last_meeting,
    ledger,
    peer_growth_rows,
    quality,
    scorecard,
    snapshots,
    status,
    status_known_on,
    status_of_regions,
    status_table,
)
from ui.sidebar import Filters, sidebar_filters  # noqa: F401
