"""The 督查通报 as a Word document: data.py gathers the engine's frames, build.py writes the .docx."""
from bulletin.build import build_bulletin
from bulletin.data import BulletinData, bulletin_data

__all__ = ["BulletinData", "build_bulletin", "bulletin_data"]
