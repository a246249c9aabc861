"""The site: pages, charts, the MkDocs build and the preview server."""
