"""The open-source monitoring pages: the reading list, an article, the daily digest per desk, sources."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
