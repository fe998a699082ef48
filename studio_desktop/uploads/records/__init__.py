"""The one owner of the store's upload tables: every SQL statement that reads or
writes the queue, the ledger, the album map and hot folders lives in this package."""
