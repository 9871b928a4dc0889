"""The commercial desk's API: projects and organisations."""

from fastapi import APIRouter

router = APIRouter(tags=["commerce"])
