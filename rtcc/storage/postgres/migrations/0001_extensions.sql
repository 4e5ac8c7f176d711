-- PostGIS for the spatial queries (ST_DWithin on geography); pg_trgm for partial plates.
-- Creating an extension needs a superuser or the database owner with trust in it;
-- docs/deploy.md says how a DBA does this once ahead of the first start.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
