"""Pure pandas calculators: DataFrames in, DataFrames out. No Streamlit, no database, no files."""
