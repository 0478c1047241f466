WITH rec AS (
  SELECT
    r."enterprise_id",
    CAST(SUM(
      CASE
        WHEN r."kind" IN ('penalty', 'tax-arrears')
        AND (
          r."decided_on" > CAST('2025-11-01' AS DATE)
          AND r."decided_on" <= CAST('2026-11-01' AS DATE)
        )
        THEN 1
        ELSE 0
      END
    ) AS DOUBLE) AS "neg_count__value",
    CAST(SUM(
      CASE
        WHEN r."kind" = 'penalty'
        AND r."severity" IN ('general', 'serious')
        AND (
          r."decided_on" > CAST('2025-11-01' AS DATE)
          AND r."decided_on" <= CAST('2026-11-01' AS DATE)
        )
        THEN 1
        ELSE 0
      END
    ) AS DOUBLE) AS "neg_general__value",
    CAST(SUM(
      CASE
        WHEN r."kind" IN (
          'penalty',
          'tax-arrears',
          'court-defaulter',
          'honour',
          'tax-credit-grade',
          'park-rent-arrears'
        )
        AND (
          r."decided_on" > CAST('2025-11-01' AS DATE)
          AND r."decided_on" <= CAST('2026-11-01' AS DATE)
        )
        THEN COALESCE(CAST(r."amount" AS DOUBLE), CAST(0.0 AS DOUBLE))
        ELSE CAST(0.0 AS DOUBLE)
      END
    ) AS DOUBLE) AS "sum_amount__value",
    CAST(MAX(
      CASE
        WHEN r."kind" IN ('penalty', 'park-rent-arrears')
        AND (
          r."decided_on" > CAST('2025-11-01' AS DATE)
          AND r."decided_on" <= CAST('2026-11-01' AS DATE)
        )
        THEN CASE
          WHEN r."severity" = 'minor'
          THEN 1
          WHEN r."severity" = 'general'
          THEN 2
          WHEN r."severity" = 'serious'
          THEN 3
          ELSE 0
        END
        ELSE 0
      END
    ) AS DOUBLE) AS "max_sev__value",
    CAST(SUM(
      CASE
        WHEN r."kind" IN (
          'penalty',
          'tax-arrears',
          'court-defaulter',
          'honour',
          'tax-credit-grade',
          'park-rent-arrears'
        )
        AND r."polarity" = 'negative'
        AND (
          r."decided_on" > CAST('2025-11-01' AS DATE)
          AND r."decided_on" <= CAST('2026-11-01' AS DATE)
        )
        THEN EXP(
          CAST(-0.6931471805599453 AS DOUBLE) * (
            CAST('2026-11-01' AS DATE) - r."decided_on"
          ) / 180
        )
        ELSE CAST(0.0 AS DOUBLE)
      END
    ) AS DOUBLE) AS "neg_decay__value",
    CAST(SUM(
      CASE
        WHEN r."kind" = 'tax-arrears'
        AND (
          r."decided_on" > CAST('2025-11-01' AS DATE)
          AND r."decided_on" <= CAST('2026-11-01' AS DATE)
        )
        THEN COALESCE(CAST(r."amount" AS DOUBLE), CAST(0.0 AS DOUBLE)) * EXP(
          CAST(-0.6931471805599453 AS DOUBLE) * (
            CAST('2026-11-01' AS DATE) - r."decided_on"
          ) / 180
        )
        ELSE CAST(0.0 AS DOUBLE)
      END
    ) AS DOUBLE) AS "amt_decay__value",
    SUM(CASE WHEN r."kind" = 'court-defaulter' THEN 1 ELSE 0 END) AS "veto__defaulter",
    SUM(
      CASE WHEN r."kind" = 'tax-arrears' AND r."severity" = 'serious' THEN 1 ELSE 0 END
    ) AS "veto__serious_tax",
    SUM(
      CASE
        WHEN (
          r."kind" = 'penalty'
          AND (
            r."decided_on" > CAST('2025-11-01' AS DATE)
            AND r."decided_on" <= CAST('2026-11-01' AS DATE)
          )
        )
        AND r."severity" = 'serious'
        THEN 1
        ELSE 0
      END
    ) AS "cap__serious_penalty",
    SUM(
      CASE
        WHEN r."kind" = 'park-rent-arrears'
        AND (
          r."decided_on" > CAST('2024-11-01' AS DATE)
          AND r."decided_on" <= CAST('2026-11-01' AS DATE)
        )
        THEN 1
        ELSE 0
      END
    ) AS "cap__rent_twice"
  FROM ledger_records AS r
  WHERE
    (
      r."decided_on" <= CAST('2026-11-01' AS DATE)
      AND r."status_as_of" = 'active'
      AND r."disputed" = FALSE
    )
    AND r."kind" IN (
      'court-defaulter',
      'honour',
      'park-rent-arrears',
      'penalty',
      'tax-arrears',
      'tax-credit-grade'
    )
  GROUP BY
    r."enterprise_id"
), obs AS (
  SELECT
    o."enterprise_id",
    SUM(
      CASE
        WHEN o."metric" = 'electricity'
        AND (
          o."period" > CAST('2025-11-01' AS DATE)
          AND o."period" <= CAST('2026-11-01' AS DATE)
        )
        THEN 1
        ELSE 0
      END
    ) AS "elec_sum__n",
    SUM(
      CASE
        WHEN o."metric" = 'electricity'
        AND (
          o."period" > CAST('2025-11-01' AS DATE)
          AND o."period" <= CAST('2026-11-01' AS DATE)
        )
        THEN CAST(o."value" AS DOUBLE)
      END
    ) AS "elec_sum__a",
    SUM(
      CASE
        WHEN o."metric" = 'electricity'
        AND (
          o."period" > CAST('2025-11-01' AS DATE)
          AND o."period" <= CAST('2026-11-01' AS DATE)
        )
        THEN 1
        ELSE 0
      END
    ) AS "elec_mean__n",
    AVG(
      CASE
        WHEN o."metric" = 'electricity'
        AND (
          o."period" > CAST('2025-11-01' AS DATE)
          AND o."period" <= CAST('2026-11-01' AS DATE)
        )
        THEN CAST(o."value" AS DOUBLE)
      END
    ) AS "elec_mean__a",
    SUM(
      CASE
        WHEN o."metric" = 'electricity'
        AND (
          o."period" > CAST('2025-11-01' AS DATE)
          AND o."period" <= CAST('2026-11-01' AS DATE)
        )
        THEN 1
        ELSE 0
      END
    ) AS "elec_share__n",
    SUM(
      CASE
        WHEN (
          o."metric" = 'electricity'
          AND (
            o."period" > CAST('2025-11-01' AS DATE)
            AND o."period" <= CAST('2026-11-01' AS DATE)
          )
        )
        AND o."value" <= CAST(5.0 AS DOUBLE)
        THEN 1
        ELSE 0
      END
    ) AS "elec_share__a",
    SUM(
      CASE
        WHEN o."metric" = 'rent_bill'
        AND (
          o."due_on" > CAST('2025-11-01' AS DATE)
          AND o."due_on" <= CAST('2026-11-01' AS DATE)
        )
        THEN 1
        ELSE 0
      END
    ) AS "rent_dbt__n",
    AVG(
      CASE
        WHEN o."metric" = 'rent_bill'
        AND (
          o."due_on" > CAST('2025-11-01' AS DATE)
          AND o."due_on" <= CAST('2026-11-01' AS DATE)
        )
        THEN CAST(CASE
          WHEN NOT o."settled_on" IS NULL AND o."settled_on" <= CAST('2026-11-01' AS DATE)
          THEN CASE
            WHEN 0 IS NULL OR (
              o."settled_on" - o."due_on"
            ) IS NULL
            THEN NULL
            ELSE GREATEST(0, (
              o."settled_on" - o."due_on"
            ))
          END
          ELSE CASE
            WHEN 0 IS NULL OR (
              CAST('2026-11-01' AS DATE) - o."due_on"
            ) IS NULL
            THEN NULL
            ELSE GREATEST(0, (
              CAST('2026-11-01' AS DATE) - o."due_on"
            ))
          END
        END AS DOUBLE)
      END
    ) AS "rent_dbt__a",
    SUM(
      CASE
        WHEN o."metric" = 'rent_bill'
        AND (
          o."due_on" > CAST('2025-11-01' AS DATE)
          AND o."due_on" <= CAST('2026-11-01' AS DATE)
        )
        THEN 1
        ELSE 0
      END
    ) AS "rent_max__n",
    MAX(
      CASE
        WHEN o."metric" = 'rent_bill'
        AND (
          o."due_on" > CAST('2025-11-01' AS DATE)
          AND o."due_on" <= CAST('2026-11-01' AS DATE)
        )
        THEN CASE
          WHEN NOT o."settled_on" IS NULL AND o."settled_on" <= CAST('2026-11-01' AS DATE)
          THEN CASE
            WHEN 0 IS NULL OR (
              o."settled_on" - o."due_on"
            ) IS NULL
            THEN NULL
            ELSE GREATEST(0, (
              o."settled_on" - o."due_on"
            ))
          END
          ELSE CASE
            WHEN 0 IS NULL OR (
              CAST('2026-11-01' AS DATE) - o."due_on"
            ) IS NULL
            THEN NULL
            ELSE GREATEST(0, (
              CAST('2026-11-01' AS DATE) - o."due_on"
            ))
          END
        END
      END
    ) AS "rent_max__a",
    SUM(
      CASE
        WHEN o."metric" = 'rent_bill'
        AND (
          o."due_on" > CAST('2025-11-01' AS DATE)
          AND o."due_on" <= CAST('2026-11-01' AS DATE)
        )
        THEN 1
        ELSE 0
      END
    ) AS "rent_late__n",
    SUM(
      CASE
        WHEN (
          o."metric" = 'rent_bill'
          AND (
            o."due_on" > CAST('2025-11-01' AS DATE)
            AND o."due_on" <= CAST('2026-11-01' AS DATE)
          )
        )
        AND CASE
          WHEN NOT o."settled_on" IS NULL AND o."settled_on" <= CAST('2026-11-01' AS DATE)
          THEN CASE
            WHEN 0 IS NULL OR (
              o."settled_on" - o."due_on"
            ) IS NULL
            THEN NULL
            ELSE GREATEST(0, (
              o."settled_on" - o."due_on"
            ))
          END
          ELSE CASE
            WHEN 0 IS NULL OR (
              CAST('2026-11-01' AS DATE) - o."due_on"
            ) IS NULL
            THEN NULL
            ELSE GREATEST(0, (
              CAST('2026-11-01' AS DATE) - o."due_on"
            ))
          END
        END > CAST(5.0 AS DOUBLE)
        THEN 1
        ELSE 0
      END
    ) AS "rent_late__a",
    AVG(
      CASE
        WHEN (
          o."metric" = 'electricity'
          AND (
            o."period" > CAST('2025-11-01' AS DATE)
            AND o."period" <= CAST('2026-11-01' AS DATE)
          )
        )
        AND o."period" > CAST('2026-08-03' AS DATE)
        THEN CAST(o."value" AS DOUBLE)
      END
    ) AS "elec_trend__a",
    AVG(
      CASE
        WHEN (
          o."metric" = 'electricity'
          AND (
            o."period" > CAST('2025-11-01' AS DATE)
            AND o."period" <= CAST('2026-11-01' AS DATE)
          )
        )
        AND NOT (
          o."period" > CAST('2026-08-03' AS DATE)
        )
        THEN CAST(o."value" AS DOUBLE)
      END
    ) AS "elec_trend__b",
    AVG(
      CASE
        WHEN o."metric" = 'credit_sales'
        AND (
          o."period" > CAST('2025-11-01' AS DATE)
          AND o."period" <= CAST('2026-11-01' AS DATE)
        )
        THEN CAST(o."value" AS DOUBLE)
      END
    ) AS "credit_ratio__a",
    AVG(
      CASE
        WHEN o."metric" = 'sales_revenue'
        AND (
          o."period" > CAST('2025-11-01' AS DATE)
          AND o."period" <= CAST('2026-11-01' AS DATE)
        )
        THEN CAST(o."value" AS DOUBLE)
      END
    ) AS "credit_ratio__b"
  FROM ledger_observations AS o
  WHERE
    o."metric" IN ('credit_sales', 'electricity', 'rent_bill', 'sales_revenue')
  GROUP BY
    o."enterprise_id"
), tags AS (
  SELECT
    t."enterprise_id",
    MAX(
      CASE
        WHEN t."tag" = 'high_tech'
        AND t."since" <= CAST('2026-11-01' AS DATE)
        AND (
          t."until" IS NULL OR CAST('2026-11-01' AS DATE) <= t."until"
        )
        THEN CAST(1.0 AS DOUBLE)
        ELSE CAST(0.0 AS DOUBLE)
      END
    ) AS "high_tech__tag"
  FROM ledger_tags AS t
  WHERE
    t."tag" = 'high_tech'
  GROUP BY
    t."enterprise_id"
), latest_0 AS (
  SELECT
    y."enterprise_id",
    y."v"
  FROM (
    SELECT
      x."enterprise_id",
      CASE
        WHEN x."result" = 'A'
        THEN CAST(4.0 AS DOUBLE)
        WHEN x."result" = 'B'
        THEN CAST(3.0 AS DOUBLE)
        WHEN x."result" = 'M'
        THEN CAST(2.5 AS DOUBLE)
        WHEN x."result" = 'C'
        THEN CAST(1.0 AS DOUBLE)
        WHEN x."result" = 'D'
        THEN CAST(0.0 AS DOUBLE)
      END AS "v",
      ROW_NUMBER() OVER (PARTITION BY x."enterprise_id" ORDER BY x."decided_on" DESC, x."record_id" DESC) AS "rn"
    FROM ledger_records AS x
    WHERE
      (
        x."decided_on" <= CAST('2026-11-01' AS DATE)
        AND x."status_as_of" = 'active'
        AND x."disputed" = FALSE
      )
      AND (
        x."kind" = 'tax-credit-grade'
        AND (
          x."decided_on" > CAST('2024-11-01' AS DATE)
          AND x."decided_on" <= CAST('2026-11-01' AS DATE)
        )
      )
  ) AS y
  WHERE
    y."rn" = 1
), latest_1 AS (
  SELECT
    y."enterprise_id",
    y."v"
  FROM (
    SELECT
      x."enterprise_id",
      CAST(x."value" AS DOUBLE) AS "v",
      ROW_NUMBER() OVER (PARTITION BY x."enterprise_id" ORDER BY x."period" DESC, x."value" DESC) AS "rn"
    FROM ledger_observations AS x
    WHERE
      x."metric" = 'electricity'
      AND (
        x."period" > CAST('2025-11-01' AS DATE)
        AND x."period" <= CAST('2026-11-01' AS DATE)
      )
  ) AS y
  WHERE
    y."rn" = 1
), latest_2 AS (
  SELECT
    y."enterprise_id",
    y."v"
  FROM (
    SELECT
      x."enterprise_id",
      CAST(x."value" AS DOUBLE) AS "v",
      ROW_NUMBER() OVER (PARTITION BY x."enterprise_id" ORDER BY x."due_on" DESC, x."value" DESC) AS "rn"
    FROM ledger_observations AS x
    WHERE
      x."metric" = 'rent_bill'
      AND (
        x."due_on" > CAST('2025-11-01' AS DATE)
        AND x."due_on" <= CAST('2026-11-01' AS DATE)
      )
  ) AS y
  WHERE
    y."rn" = 1
), vals AS (
  SELECT
    e."enterprise_id",
    COALESCE(rec."neg_count__value", CAST(0.0 AS DOUBLE)) AS "neg_count__value",
    COALESCE(rec."neg_general__value", CAST(0.0 AS DOUBLE)) AS "neg_general__value",
    COALESCE(rec."sum_amount__value", CAST(0.0 AS DOUBLE)) AS "sum_amount__value",
    COALESCE(rec."max_sev__value", CAST(0.0 AS DOUBLE)) AS "max_sev__value",
    COALESCE(rec."neg_decay__value", CAST(0.0 AS DOUBLE)) AS "neg_decay__value",
    COALESCE(rec."amt_decay__value", CAST(0.0 AS DOUBLE)) AS "amt_decay__value",
    latest_0."v" AS "tax_grade__value",
    CASE
      WHEN COALESCE(obs."elec_sum__n", 0) > 0
      THEN CAST(obs."elec_sum__a" AS DOUBLE)
    END AS "elec_sum__value",
    CASE
      WHEN COALESCE(obs."elec_mean__n", 0) > 0
      THEN CAST(obs."elec_mean__a" AS DOUBLE)
    END AS "elec_mean__value",
    latest_1."v" AS "elec_latest__value",
    latest_2."v" AS "rent_latest__value",
    CASE
      WHEN COALESCE(obs."elec_share__n", 0) > 0
      THEN CAST(obs."elec_share__a" AS DOUBLE) / CAST(COALESCE(obs."elec_share__n", 0) AS DOUBLE)
    END AS "elec_share__value",
    CASE
      WHEN COALESCE(obs."rent_dbt__n", 0) > 0
      THEN CAST(obs."rent_dbt__a" AS DOUBLE)
    END AS "rent_dbt__value",
    CASE
      WHEN COALESCE(obs."rent_max__n", 0) > 0
      THEN CAST(obs."rent_max__a" AS DOUBLE)
    END AS "rent_max__value",
    CASE
      WHEN COALESCE(obs."rent_late__n", 0) > 0
      THEN CAST(obs."rent_late__a" AS DOUBLE) / CAST(COALESCE(obs."rent_late__n", 0) AS DOUBLE)
    END AS "rent_late__value",
    CASE
      WHEN NOT obs."elec_trend__a" IS NULL AND obs."elec_trend__b" > CAST(0.0 AS DOUBLE)
      THEN obs."elec_trend__a" / obs."elec_trend__b"
    END AS "elec_trend__value",
    CASE
      WHEN NOT obs."credit_ratio__a" IS NULL AND obs."credit_ratio__b" > CAST(0.0 AS DOUBLE)
      THEN obs."credit_ratio__a" / obs."credit_ratio__b"
    END AS "credit_ratio__value",
    CASE
      WHEN e."founded_on" <= CAST('2026-11-01' AS DATE)
      THEN CAST((
        CAST('2026-11-01' AS DATE) - e."founded_on"
      ) AS DOUBLE) / CAST(365.25 AS DOUBLE)
    END AS "age__value",
    CASE
      WHEN e."in_park" = TRUE AND e."park_entry_on" <= CAST('2026-11-01' AS DATE)
      THEN CAST((
        CAST('2026-11-01' AS DATE) - e."park_entry_on"
      ) AS DOUBLE) / CAST(365.25 AS DOUBLE)
    END AS "park_age__value",
    CAST(e."registered_capital" AS DOUBLE) / CAST(10000.0 AS DOUBLE) AS "capital__value",
    COALESCE(tags."high_tech__tag", CAST(0.0 AS DOUBLE)) AS "high_tech__value",
    COALESCE(rec."veto__defaulter", 0) > 0 AS "veto__defaulter",
    COALESCE(rec."veto__serious_tax", 0) > 0 AS "veto__serious_tax",
    COALESCE(rec."cap__serious_penalty", 0) >= 1 AS "cap__serious_penalty",
    COALESCE(rec."cap__rent_twice", 0) >= 2 AS "cap__rent_twice"
  FROM ledger_enterprises AS e
  LEFT JOIN rec
    ON rec."enterprise_id" = e."enterprise_id"
  LEFT JOIN obs
    ON obs."enterprise_id" = e."enterprise_id"
  LEFT JOIN tags
    ON tags."enterprise_id" = e."enterprise_id"
  LEFT JOIN latest_0
    ON latest_0."enterprise_id" = e."enterprise_id"
  LEFT JOIN latest_1
    ON latest_1."enterprise_id" = e."enterprise_id"
  LEFT JOIN latest_2
    ON latest_2."enterprise_id" = e."enterprise_id"
), pts AS (
  SELECT
    *,
    CASE
      WHEN vals."neg_count__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      WHEN vals."neg_count__value" < CAST(2.0 AS DOUBLE)
      THEN CAST(40.0 AS DOUBLE)
      WHEN vals."neg_count__value" < CAST(4.0 AS DOUBLE)
      THEN CAST(25.0 AS DOUBLE)
      ELSE CAST(0.0 AS DOUBLE)
    END AS "neg_count__points",
    CASE
      WHEN vals."neg_general__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      ELSE CASE
        WHEN CAST(40.0 AS DOUBLE) IS NULL
        OR CASE
          WHEN CAST(0.0 AS DOUBLE) IS NULL
          OR (
            CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."neg_general__value"
          ) IS NULL
          THEN NULL
          ELSE GREATEST(
            CAST(0.0 AS DOUBLE),
            CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."neg_general__value"
          )
        END IS NULL
        THEN NULL
        ELSE LEAST(
          CAST(40.0 AS DOUBLE),
          CASE
            WHEN CAST(0.0 AS DOUBLE) IS NULL
            OR (
              CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."neg_general__value"
            ) IS NULL
            THEN NULL
            ELSE GREATEST(
              CAST(0.0 AS DOUBLE),
              CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."neg_general__value"
            )
          END
        )
      END
    END AS "neg_general__points",
    CASE
      WHEN vals."sum_amount__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      ELSE CASE
        WHEN CAST(40.0 AS DOUBLE) IS NULL
        OR CASE
          WHEN CAST(0.0 AS DOUBLE) IS NULL
          OR (
            CAST(40.0 AS DOUBLE) + CAST(-0.25 AS DOUBLE) * vals."sum_amount__value"
          ) IS NULL
          THEN NULL
          ELSE GREATEST(
            CAST(0.0 AS DOUBLE),
            CAST(40.0 AS DOUBLE) + CAST(-0.25 AS DOUBLE) * vals."sum_amount__value"
          )
        END IS NULL
        THEN NULL
        ELSE LEAST(
          CAST(40.0 AS DOUBLE),
          CASE
            WHEN CAST(0.0 AS DOUBLE) IS NULL
            OR (
              CAST(40.0 AS DOUBLE) + CAST(-0.25 AS DOUBLE) * vals."sum_amount__value"
            ) IS NULL
            THEN NULL
            ELSE GREATEST(
              CAST(0.0 AS DOUBLE),
              CAST(40.0 AS DOUBLE) + CAST(-0.25 AS DOUBLE) * vals."sum_amount__value"
            )
          END
        )
      END
    END AS "sum_amount__points",
    CASE
      WHEN vals."max_sev__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      WHEN vals."max_sev__value" < CAST(2.0 AS DOUBLE)
      THEN CAST(40.0 AS DOUBLE)
      WHEN vals."max_sev__value" < CAST(4.0 AS DOUBLE)
      THEN CAST(25.0 AS DOUBLE)
      ELSE CAST(0.0 AS DOUBLE)
    END AS "max_sev__points",
    CASE
      WHEN vals."neg_decay__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      ELSE CASE
        WHEN CAST(40.0 AS DOUBLE) IS NULL
        OR CASE
          WHEN CAST(0.0 AS DOUBLE) IS NULL
          OR (
            CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."neg_decay__value"
          ) IS NULL
          THEN NULL
          ELSE GREATEST(
            CAST(0.0 AS DOUBLE),
            CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."neg_decay__value"
          )
        END IS NULL
        THEN NULL
        ELSE LEAST(
          CAST(40.0 AS DOUBLE),
          CASE
            WHEN CAST(0.0 AS DOUBLE) IS NULL
            OR (
              CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."neg_decay__value"
            ) IS NULL
            THEN NULL
            ELSE GREATEST(
              CAST(0.0 AS DOUBLE),
              CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."neg_decay__value"
            )
          END
        )
      END
    END AS "neg_decay__points",
    CASE
      WHEN vals."amt_decay__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      ELSE CASE
        WHEN CAST(40.0 AS DOUBLE) IS NULL
        OR CASE
          WHEN CAST(0.0 AS DOUBLE) IS NULL
          OR (
            CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."amt_decay__value"
          ) IS NULL
          THEN NULL
          ELSE GREATEST(
            CAST(0.0 AS DOUBLE),
            CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."amt_decay__value"
          )
        END IS NULL
        THEN NULL
        ELSE LEAST(
          CAST(40.0 AS DOUBLE),
          CASE
            WHEN CAST(0.0 AS DOUBLE) IS NULL
            OR (
              CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."amt_decay__value"
            ) IS NULL
            THEN NULL
            ELSE GREATEST(
              CAST(0.0 AS DOUBLE),
              CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."amt_decay__value"
            )
          END
        )
      END
    END AS "amt_decay__points",
    CASE
      WHEN vals."tax_grade__value" IS NULL
      THEN CAST(7.0 AS DOUBLE)
      ELSE CASE
        WHEN CAST(40.0 AS DOUBLE) IS NULL
        OR CASE
          WHEN CAST(0.0 AS DOUBLE) IS NULL
          OR (
            CAST(0.0 AS DOUBLE) + CAST(10.0 AS DOUBLE) * vals."tax_grade__value"
          ) IS NULL
          THEN NULL
          ELSE GREATEST(
            CAST(0.0 AS DOUBLE),
            CAST(0.0 AS DOUBLE) + CAST(10.0 AS DOUBLE) * vals."tax_grade__value"
          )
        END IS NULL
        THEN NULL
        ELSE LEAST(
          CAST(40.0 AS DOUBLE),
          CASE
            WHEN CAST(0.0 AS DOUBLE) IS NULL
            OR (
              CAST(0.0 AS DOUBLE) + CAST(10.0 AS DOUBLE) * vals."tax_grade__value"
            ) IS NULL
            THEN NULL
            ELSE GREATEST(
              CAST(0.0 AS DOUBLE),
              CAST(0.0 AS DOUBLE) + CAST(10.0 AS DOUBLE) * vals."tax_grade__value"
            )
          END
        )
      END
    END AS "tax_grade__points",
    CASE
      WHEN vals."elec_sum__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      ELSE CASE
        WHEN CAST(40.0 AS DOUBLE) IS NULL
        OR CASE
          WHEN CAST(0.0 AS DOUBLE) IS NULL
          OR (
            CAST(0.0 AS DOUBLE) + CAST(0.1 AS DOUBLE) * vals."elec_sum__value"
          ) IS NULL
          THEN NULL
          ELSE GREATEST(
            CAST(0.0 AS DOUBLE),
            CAST(0.0 AS DOUBLE) + CAST(0.1 AS DOUBLE) * vals."elec_sum__value"
          )
        END IS NULL
        THEN NULL
        ELSE LEAST(
          CAST(40.0 AS DOUBLE),
          CASE
            WHEN CAST(0.0 AS DOUBLE) IS NULL
            OR (
              CAST(0.0 AS DOUBLE) + CAST(0.1 AS DOUBLE) * vals."elec_sum__value"
            ) IS NULL
            THEN NULL
            ELSE GREATEST(
              CAST(0.0 AS DOUBLE),
              CAST(0.0 AS DOUBLE) + CAST(0.1 AS DOUBLE) * vals."elec_sum__value"
            )
          END
        )
      END
    END AS "elec_sum__points",
    CASE
      WHEN vals."elec_mean__value" IS NULL
      THEN CAST(0.0 AS DOUBLE)
      WHEN vals."elec_mean__value" < CAST(2.0 AS DOUBLE)
      THEN CAST(0.0 AS DOUBLE)
      WHEN vals."elec_mean__value" < CAST(6.0 AS DOUBLE)
      THEN CAST(20.0 AS DOUBLE)
      ELSE CAST(40.0 AS DOUBLE)
    END AS "elec_mean__points",
    CASE
      WHEN vals."elec_latest__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      WHEN vals."elec_latest__value" < CAST(2.0 AS DOUBLE)
      THEN CAST(0.0 AS DOUBLE)
      WHEN vals."elec_latest__value" < CAST(6.0 AS DOUBLE)
      THEN CAST(20.0 AS DOUBLE)
      ELSE CAST(40.0 AS DOUBLE)
    END AS "elec_latest__points",
    CASE
      WHEN vals."rent_latest__value" IS NULL
      THEN CAST(3.0 AS DOUBLE)
      WHEN vals."rent_latest__value" < CAST(2.0 AS DOUBLE)
      THEN CAST(40.0 AS DOUBLE)
      WHEN vals."rent_latest__value" < CAST(4.0 AS DOUBLE)
      THEN CAST(25.0 AS DOUBLE)
      ELSE CAST(0.0 AS DOUBLE)
    END AS "rent_latest__points",
    CASE
      WHEN vals."elec_share__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      ELSE CASE
        WHEN CAST(40.0 AS DOUBLE) IS NULL
        OR CASE
          WHEN CAST(0.0 AS DOUBLE) IS NULL
          OR (
            CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."elec_share__value"
          ) IS NULL
          THEN NULL
          ELSE GREATEST(
            CAST(0.0 AS DOUBLE),
            CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."elec_share__value"
          )
        END IS NULL
        THEN NULL
        ELSE LEAST(
          CAST(40.0 AS DOUBLE),
          CASE
            WHEN CAST(0.0 AS DOUBLE) IS NULL
            OR (
              CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."elec_share__value"
            ) IS NULL
            THEN NULL
            ELSE GREATEST(
              CAST(0.0 AS DOUBLE),
              CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."elec_share__value"
            )
          END
        )
      END
    END AS "elec_share__points",
    CASE
      WHEN vals."rent_dbt__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      WHEN vals."rent_dbt__value" < CAST(2.0 AS DOUBLE)
      THEN CAST(40.0 AS DOUBLE)
      WHEN vals."rent_dbt__value" < CAST(4.0 AS DOUBLE)
      THEN CAST(25.0 AS DOUBLE)
      ELSE CAST(0.0 AS DOUBLE)
    END AS "rent_dbt__points",
    CASE
      WHEN vals."rent_max__value" IS NULL
      THEN CAST(0.0 AS DOUBLE)
      ELSE CASE
        WHEN CAST(40.0 AS DOUBLE) IS NULL
        OR CASE
          WHEN CAST(0.0 AS DOUBLE) IS NULL
          OR (
            CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."rent_max__value"
          ) IS NULL
          THEN NULL
          ELSE GREATEST(
            CAST(0.0 AS DOUBLE),
            CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."rent_max__value"
          )
        END IS NULL
        THEN NULL
        ELSE LEAST(
          CAST(40.0 AS DOUBLE),
          CASE
            WHEN CAST(0.0 AS DOUBLE) IS NULL
            OR (
              CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."rent_max__value"
            ) IS NULL
            THEN NULL
            ELSE GREATEST(
              CAST(0.0 AS DOUBLE),
              CAST(40.0 AS DOUBLE) + CAST(-3.5 AS DOUBLE) * vals."rent_max__value"
            )
          END
        )
      END
    END AS "rent_max__points",
    CASE
      WHEN vals."rent_late__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      WHEN vals."rent_late__value" < CAST(2.0 AS DOUBLE)
      THEN CAST(40.0 AS DOUBLE)
      WHEN vals."rent_late__value" < CAST(4.0 AS DOUBLE)
      THEN CAST(25.0 AS DOUBLE)
      ELSE CAST(0.0 AS DOUBLE)
    END AS "rent_late__points",
    CASE
      WHEN vals."elec_trend__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      WHEN vals."elec_trend__value" < CAST(2.0 AS DOUBLE)
      THEN CAST(0.0 AS DOUBLE)
      WHEN vals."elec_trend__value" < CAST(6.0 AS DOUBLE)
      THEN CAST(20.0 AS DOUBLE)
      ELSE CAST(40.0 AS DOUBLE)
    END AS "elec_trend__points",
    CASE
      WHEN vals."credit_ratio__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      WHEN vals."credit_ratio__value" < CAST(2.0 AS DOUBLE)
      THEN CAST(40.0 AS DOUBLE)
      WHEN vals."credit_ratio__value" < CAST(4.0 AS DOUBLE)
      THEN CAST(25.0 AS DOUBLE)
      ELSE CAST(0.0 AS DOUBLE)
    END AS "credit_ratio__points",
    CASE
      WHEN vals."age__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      WHEN vals."age__value" < CAST(2.0 AS DOUBLE)
      THEN CAST(0.0 AS DOUBLE)
      WHEN vals."age__value" < CAST(6.0 AS DOUBLE)
      THEN CAST(20.0 AS DOUBLE)
      ELSE CAST(40.0 AS DOUBLE)
    END AS "age__points",
    CASE
      WHEN vals."park_age__value" IS NULL
      THEN CAST(12.0 AS DOUBLE)
      WHEN vals."park_age__value" < CAST(2.0 AS DOUBLE)
      THEN CAST(0.0 AS DOUBLE)
      WHEN vals."park_age__value" < CAST(6.0 AS DOUBLE)
      THEN CAST(20.0 AS DOUBLE)
      ELSE CAST(40.0 AS DOUBLE)
    END AS "park_age__points",
    CASE
      WHEN vals."capital__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      ELSE CASE
        WHEN CAST(40.0 AS DOUBLE) IS NULL
        OR CASE
          WHEN CAST(0.0 AS DOUBLE) IS NULL
          OR (
            CAST(5.0 AS DOUBLE) + CAST(0.5 AS DOUBLE) * vals."capital__value"
          ) IS NULL
          THEN NULL
          ELSE GREATEST(
            CAST(0.0 AS DOUBLE),
            CAST(5.0 AS DOUBLE) + CAST(0.5 AS DOUBLE) * vals."capital__value"
          )
        END IS NULL
        THEN NULL
        ELSE LEAST(
          CAST(40.0 AS DOUBLE),
          CASE
            WHEN CAST(0.0 AS DOUBLE) IS NULL
            OR (
              CAST(5.0 AS DOUBLE) + CAST(0.5 AS DOUBLE) * vals."capital__value"
            ) IS NULL
            THEN NULL
            ELSE GREATEST(
              CAST(0.0 AS DOUBLE),
              CAST(5.0 AS DOUBLE) + CAST(0.5 AS DOUBLE) * vals."capital__value"
            )
          END
        )
      END
    END AS "capital__points",
    CASE
      WHEN vals."high_tech__value" IS NULL
      THEN CAST(20.0 AS DOUBLE)
      WHEN vals."high_tech__value" < CAST(1.0 AS DOUBLE)
      THEN CAST(0.0 AS DOUBLE)
      ELSE CAST(40.0 AS DOUBLE)
    END AS "high_tech__points"
  FROM vals
), tot AS (
  SELECT
    *,
    CAST(160.0 AS DOUBLE) + (
      pts."neg_count__points" + pts."neg_general__points" + pts."sum_amount__points" + pts."max_sev__points" + pts."neg_decay__points" + pts."amt_decay__points" + pts."tax_grade__points" + pts."elec_sum__points" + pts."elec_mean__points" + pts."elec_latest__points" + pts."rent_latest__points" + pts."elec_share__points" + pts."rent_dbt__points" + pts."rent_max__points" + pts."rent_late__points" + pts."elec_trend__points" + pts."credit_ratio__points" + pts."age__points" + pts."park_age__points" + pts."capital__points" + pts."high_tech__points"
    ) AS "total",
    CAST(CASE
      WHEN 1000 IS NULL
      OR CASE
        WHEN 0 IS NULL
        OR FLOOR(
          (
            CAST(160.0 AS DOUBLE) + (
              pts."neg_count__points" + pts."neg_general__points" + pts."sum_amount__points" + pts."max_sev__points" + pts."neg_decay__points" + pts."amt_decay__points" + pts."tax_grade__points" + pts."elec_sum__points" + pts."elec_mean__points" + pts."elec_latest__points" + pts."rent_latest__points" + pts."elec_share__points" + pts."rent_dbt__points" + pts."rent_max__points" + pts."rent_late__points" + pts."elec_trend__points" + pts."credit_ratio__points" + pts."age__points" + pts."park_age__points" + pts."capital__points" + pts."high_tech__points"
            )
          ) + CAST(0.5 AS DOUBLE) + CAST(1e-09 AS DOUBLE)
        ) IS NULL
        THEN NULL
        ELSE GREATEST(
          0,
          FLOOR(
            (
              CAST(160.0 AS DOUBLE) + (
                pts."neg_count__points" + pts."neg_general__points" + pts."sum_amount__points" + pts."max_sev__points" + pts."neg_decay__points" + pts."amt_decay__points" + pts."tax_grade__points" + pts."elec_sum__points" + pts."elec_mean__points" + pts."elec_latest__points" + pts."rent_latest__points" + pts."elec_share__points" + pts."rent_dbt__points" + pts."rent_max__points" + pts."rent_late__points" + pts."elec_trend__points" + pts."credit_ratio__points" + pts."age__points" + pts."park_age__points" + pts."capital__points" + pts."high_tech__points"
              )
            ) + CAST(0.5 AS DOUBLE) + CAST(1e-09 AS DOUBLE)
          )
        )
      END IS NULL
      THEN NULL
      ELSE LEAST(
        1000,
        CASE
          WHEN 0 IS NULL
          OR FLOOR(
            (
              CAST(160.0 AS DOUBLE) + (
                pts."neg_count__points" + pts."neg_general__points" + pts."sum_amount__points" + pts."max_sev__points" + pts."neg_decay__points" + pts."amt_decay__points" + pts."tax_grade__points" + pts."elec_sum__points" + pts."elec_mean__points" + pts."elec_latest__points" + pts."rent_latest__points" + pts."elec_share__points" + pts."rent_dbt__points" + pts."rent_max__points" + pts."rent_late__points" + pts."elec_trend__points" + pts."credit_ratio__points" + pts."age__points" + pts."park_age__points" + pts."capital__points" + pts."high_tech__points"
              )
            ) + CAST(0.5 AS DOUBLE) + CAST(1e-09 AS DOUBLE)
          ) IS NULL
          THEN NULL
          ELSE GREATEST(
            0,
            FLOOR(
              (
                CAST(160.0 AS DOUBLE) + (
                  pts."neg_count__points" + pts."neg_general__points" + pts."sum_amount__points" + pts."max_sev__points" + pts."neg_decay__points" + pts."amt_decay__points" + pts."tax_grade__points" + pts."elec_sum__points" + pts."elec_mean__points" + pts."elec_latest__points" + pts."rent_latest__points" + pts."elec_share__points" + pts."rent_dbt__points" + pts."rent_max__points" + pts."rent_late__points" + pts."elec_trend__points" + pts."credit_ratio__points" + pts."age__points" + pts."park_age__points" + pts."capital__points" + pts."high_tech__points"
                )
              ) + CAST(0.5 AS DOUBLE) + CAST(1e-09 AS DOUBLE)
            )
          )
        END
      )
    END AS INT) AS "score0"
  FROM pts
), grd AS (
  SELECT
    *,
    CASE
      WHEN tot."score0" >= 800 AND tot."score0" <= 1000
      THEN 0
      WHEN tot."score0" >= 600 AND tot."score0" <= 799
      THEN 1
      WHEN tot."score0" >= 400 AND tot."score0" <= 599
      THEN 2
      WHEN tot."score0" >= 0 AND tot."score0" <= 399
      THEN 3
      ELSE NULL
    END AS "band_idx",
    CASE
      WHEN CASE
        WHEN tot."score0" >= 800 AND tot."score0" <= 1000
        THEN 0
        WHEN tot."score0" >= 600 AND tot."score0" <= 799
        THEN 1
        WHEN tot."score0" >= 400 AND tot."score0" <= 599
        THEN 2
        WHEN tot."score0" >= 0 AND tot."score0" <= 399
        THEN 3
        ELSE NULL
      END IS NULL
      OR CASE WHEN tot."veto__defaulter" THEN 3 ELSE 0 END IS NULL
      OR CASE WHEN tot."veto__serious_tax" THEN 3 ELSE 0 END IS NULL
      OR CASE WHEN tot."cap__serious_penalty" THEN 2 ELSE 0 END IS NULL
      OR CASE WHEN tot."cap__rent_twice" THEN 1 ELSE 0 END IS NULL
      THEN NULL
      ELSE GREATEST(
        CASE
          WHEN tot."score0" >= 800 AND tot."score0" <= 1000
          THEN 0
          WHEN tot."score0" >= 600 AND tot."score0" <= 799
          THEN 1
          WHEN tot."score0" >= 400 AND tot."score0" <= 599
          THEN 2
          WHEN tot."score0" >= 0 AND tot."score0" <= 399
          THEN 3
          ELSE NULL
        END,
        CASE WHEN tot."veto__defaulter" THEN 3 ELSE 0 END,
        CASE WHEN tot."veto__serious_tax" THEN 3 ELSE 0 END,
        CASE WHEN tot."cap__serious_penalty" THEN 2 ELSE 0 END,
        CASE WHEN tot."cap__rent_twice" THEN 1 ELSE 0 END
      )
    END AS "grade_idx"
  FROM tot
)
SELECT
  grd."enterprise_id",
  grd."neg_count__value",
  grd."neg_count__points",
  grd."neg_general__value",
  grd."neg_general__points",
  grd."sum_amount__value",
  grd."sum_amount__points",
  grd."max_sev__value",
  grd."max_sev__points",
  grd."neg_decay__value",
  grd."neg_decay__points",
  grd."amt_decay__value",
  grd."amt_decay__points",
  grd."tax_grade__value",
  grd."tax_grade__points",
  grd."elec_sum__value",
  grd."elec_sum__points",
  grd."elec_mean__value",
  grd."elec_mean__points",
  grd."elec_latest__value",
  grd."elec_latest__points",
  grd."rent_latest__value",
  grd."rent_latest__points",
  grd."elec_share__value",
  grd."elec_share__points",
  grd."rent_dbt__value",
  grd."rent_dbt__points",
  grd."rent_max__value",
  grd."rent_max__points",
  grd."rent_late__value",
  grd."rent_late__points",
  grd."elec_trend__value",
  grd."elec_trend__points",
  grd."credit_ratio__value",
  grd."credit_ratio__points",
  grd."age__value",
  grd."age__points",
  grd."park_age__value",
  grd."park_age__points",
  grd."capital__value",
  grd."capital__points",
  grd."high_tech__value",
  grd."high_tech__points",
  grd."veto__defaulter",
  grd."veto__serious_tax",
  grd."cap__serious_penalty",
  grd."cap__rent_twice",
  grd."total",
  CAST(CASE
    WHEN grd."grade_idx" > grd."band_idx"
    THEN CASE
      WHEN grd."score0" IS NULL
      OR CASE
        WHEN grd."grade_idx" = 0
        THEN 1000
        WHEN grd."grade_idx" = 1
        THEN 799
        WHEN grd."grade_idx" = 2
        THEN 599
        WHEN grd."grade_idx" = 3
        THEN 399
      END IS NULL
      THEN NULL
      ELSE LEAST(
        grd."score0",
        CASE
          WHEN grd."grade_idx" = 0
          THEN 1000
          WHEN grd."grade_idx" = 1
          THEN 799
          WHEN grd."grade_idx" = 2
          THEN 599
          WHEN grd."grade_idx" = 3
          THEN 399
        END
      )
    END
    ELSE grd."score0"
  END AS INT) AS "score",
  CASE
    WHEN grd."grade_idx" = 0
    THEN 'A'
    WHEN grd."grade_idx" = 1
    THEN 'B'
    WHEN grd."grade_idx" = 2
    THEN 'C'
    WHEN grd."grade_idx" = 3
    THEN 'D'
  END AS "grade",
  CASE
    WHEN grd."grade_idx" = 0
    THEN 'green'
    WHEN grd."grade_idx" = 1
    THEN 'yellow'
    WHEN grd."grade_idx" = 2
    THEN 'red'
    WHEN grd."grade_idx" = 3
    THEN 'black'
  END AS "colour"
FROM grd
ORDER BY
  grd."enterprise_id"
