"""Pages of the scams app: the public checker and report form (``public``), the review queue
(``reports``) and the blocklists (``blocklists``)."""
