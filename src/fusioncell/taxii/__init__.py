"""TAXII 2.1 at /taxii2/: the intelligence desk's collections for machine clients (OASIS TAXII 2.1).

A thin protocol layer over the desk's store (intel/collections.py, intel/store.py, intel/queries.py): a
TAXII client sees the collections its party is one of, and within them only the objects the one
releasability rule lets it read. Nothing here decides who reads what.
"""

MEDIA_TYPE_TAXII = "application/taxii+json;version=2.1"
MEDIA_TYPE_STIX = "application/stix+json;version=2.1"

DISCOVERY_PATH = "/taxii2/"
API_ROOT_PATH = "/taxii2/api/"
# The route template of Add Objects: app.py may give it an upload limit of its own at the edge.
OBJECTS_PATH = API_ROOT_PATH + "collections/{collection_id}/objects/"

# A page holds at most this many objects, whatever `limit` asks; no `limit` gets a full page.
MAX_PAGE_SIZE = 1000
