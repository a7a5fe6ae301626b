-- Views: the common questions one SELECT away. Recreated by migrations.py on every open.
-- $$name stands for SQL from newsarchive/store/flat.py (view_parts): the people rule and the
-- joining convention the export uses too.

-- One row per credited person per article, with the article's headline, channel and date.
CREATE VIEW article_credits AS
SELECT
    c.article_id,
    c.position,
    c.role,
    c.name,
    a.headline,
    a.channel,
    a.published_at,
    a.canonical_url
FROM credits c
JOIN articles a ON a.id = c.article_id;

-- One row per article with the lists flattened to text and a month column.
CREATE VIEW articles_flat AS
SELECT
    a.id,
    a.canonical_url,
    a.channel,
    a.xinhua_id,
    a.headline,
    a.subtitle,
    a.published_at,
    $published_date AS published_date,
    $month AS month,
    a.source,
    a.dateline_place,
    $reporters AS reporters,
    $editors AS editors,
    $credits AS credits,
    $keywords AS keywords,
    length(a.body_text) AS body_chars,
    (SELECT count(*) FROM images WHERE article_id = a.id) AS images,
    (SELECT count(*) FROM article_urls WHERE article_id = a.id) AS urls,
    a.script,
    a.template,
    a.duplicate_of,
    a.similarity,
    a.revision,
    a.status,
    a.first_seen,
    a.last_seen,
    a.body_text
FROM articles a;
