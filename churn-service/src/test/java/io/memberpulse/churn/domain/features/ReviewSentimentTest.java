package io.memberpulse.churn.domain.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ReviewSentimentTest {

    @Test
    void negationsFlipAndDegreeWordsScaleTheOpinionAfterThem() {
        assertThat(ReviewSentiment.score("not bad at all")).isEqualTo(1);
        assertThat(ReviewSentiment.score("not very good")).isEqualTo(-1);
        assertThat(ReviewSentiment.score("Don’t recommend")).isEqualTo(-1);
        // very fresh (2 x 1.5 = 3) against slightly expensive (-1 x 0.5): (3 - 0.5) / 3.5
        assertThat(ReviewSentiment.score("very fresh, but slightly expensive")).isCloseTo(2.5 / 3.5, within(1e-9));
        // a comma ends a negation's reach
        assertThat(ReviewSentiment.score("no, great")).isEqualTo(1);
    }

    @Test
    void chineseIsCutLongestWordFirst() {
        assertThat(ReviewSentiment.score("不新鲜")).isEqualTo(-1);             // one negative word
        assertThat(ReviewSentiment.score("不太新鲜")).isEqualTo(-1);           // negation + 新鲜
        assertThat(ReviewSentiment.score("不是很好")).isEqualTo(-1);           // negation reaches over 是
        // 非常新鲜 (2 x 2 = 4) against 有点贵 (-1 x 0.6)
        assertThat(ReviewSentiment.score("非常新鲜，但是有点贵")).isCloseTo(3.4 / 4.6, within(1e-9));
        assertThat(ReviewSentiment.score("店员态度差，投诉了")).isEqualTo(-1);
        assertThat(ReviewSentiment.score("物流很快 and friendly staff")).isEqualTo(1);
    }

    @Test
    void textWithoutOpinionWordsIsNeutral() {
        assertThat(ReviewSentiment.score("ok")).isZero();
        assertThat(ReviewSentiment.score("买了两瓶牛奶")).isZero();
        assertThat(ReviewSentiment.score("")).isZero();
        assertThat(ReviewSentiment.score("!!! 123")).isZero();
    }
}
