"""The commercial desk's pages: the project register, project pages and the targets dashboard."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
