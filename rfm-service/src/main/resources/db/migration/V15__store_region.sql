-- The store directory analysts maintain (PUT /stores/{storeId}): the region each store belongs to, for the region
-- comparison (GET /dashboard/regions). A store without a row here is counted under "unassigned". New table only: the
-- release before never reads it.
CREATE TABLE store_region (
    store_id   TEXT PRIMARY KEY,
    region     TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
