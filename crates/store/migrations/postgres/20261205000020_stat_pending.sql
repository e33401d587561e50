-- Counter changes not yet rolled up. A write (a registration, a service, a void, a
-- correction) appends its contribution here at its finest grain, one row per village, day
-- and cell, instead of updating the day, month and year rows of every region above it:
-- appends never queue on a shared row. A background task folds these rows into
-- `stat_counts` (deleting them in the same transaction); every statistics read adds the
-- rows still waiting, so a figure is exact at any moment.
CREATE TABLE stat_pending (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme    text NOT NULL,
    dim          text NOT NULL,
    village_code text NOT NULL,
    dim_value    text NOT NULL,
    measure      text NOT NULL,
    day          date NOT NULL,
    reached      bigint NOT NULL,
    events       bigint NOT NULL
);

