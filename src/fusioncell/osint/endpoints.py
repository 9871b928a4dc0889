"""The open-source monitoring API: sources, articles, search, suggested links."""

from fastapi import APIRouter

router = APIRouter(tags=["osint"])
