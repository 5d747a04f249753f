/* emojiFactory: emoji spans <-> <img text="…_web">, QQ faces, and the inverse for outgoing text.
 *
 * Tables (documented choice, see the report): EmojiCodeMap maps ~50 common emoji code points to the
 * SoftBank private-use characters the real client uses (e.g. 1f604 -> U+E415); an emoji not in the
 * table gets an empty `text` ("_web"), as the real client does for unmapped ones. QQFaceList holds
 * the classic 90 QQ faces in their usual order (qqemoji0 = [微笑]); QQFaceMap also maps the
 * `<笑脸>`-style text faces to emoji code points.
 */
(function (angular) {
  'use strict';

  var EMOJI_CODE_MAP = {
    '1f604': '\ue415', '1f60a': '\ue056', '1f603': '\ue057', '263a': '\ue414', '1f609': '\ue405',
    '1f60d': '\ue106', '1f618': '\ue418', '1f61a': '\ue417', '1f633': '\ue40d', '1f60c': '\ue40a',
    '1f601': '\ue404', '1f61c': '\ue105', '1f61d': '\ue409', '1f612': '\ue40e', '1f60f': '\ue402',
    '1f613': '\ue108', '1f614': '\ue403', '1f61e': '\ue058', '1f616': '\ue407', '1f625': '\ue401',
    '1f630': '\ue40f', '1f628': '\ue40b', '1f623': '\ue406', '1f622': '\ue413', '1f62d': '\ue411',
    '1f602': '\ue412', '1f632': '\ue410', '1f631': '\ue107', '1f620': '\ue059', '1f621': '\ue416',
    '1f62a': '\ue408', '1f637': '\ue40c', '1f47f': '\ue11a', '1f47d': '\ue10c', '2764': '\ue022',
    '1f494': '\ue023', '1f44d': '\ue00e', '1f44e': '\ue421', '1f44c': '\ue420', '1f44a': '\ue00d',
    '270c': '\ue011', '1f44b': '\ue41e', '1f64f': '\ue41d', '1f4aa': '\ue14c', '1f525': '\ue11d',
    '1f389': '\ue312', '1f339': '\ue032', '2600': '\ue04a', '1f319': '\ue04c', '1f3b5': '\ue03e',
    '1f436': '\ue052', '1f431': '\ue04f', '1f437': '\ue10b', '1f4a9': '\ue05a', '1f382': '\ue34b'
  };

  var QQ_FACE_LIST = ['微笑', '撇嘴', '色', '发呆', '得意', '流泪', '害羞', '闭嘴', '睡', '大哭',
    '尴尬', '发怒', '调皮', '呲牙', '惊讶', '难过', '酷', '冷汗', '抓狂', '吐', '偷笑', '愉快', '白眼',
    '傲慢', '饥饿', '困', '惊恐', '流汗', '憨笑', '悠闲', '奋斗', '咒骂', '疑问', '嘘', '晕', '疯了',
    '衰', '骷髅', '敲打', '再见', '擦汗', '抠鼻', '鼓掌', '糗大了', '坏笑', '左哼哼', '右哼哼',
    '哈欠', '鄙视', '委屈', '快哭了', '阴险', '亲亲', '吓', '可怜', '菜刀', '西瓜', '啤酒', '篮球',
    '乒乓', '咖啡', '饭', '猪头', '玫瑰', '凋谢', '嘴唇', '爱心', '心碎', '蛋糕', '闪电', '炸弹', '刀',
    '足球', '瓢虫', '便便', '月亮', '太阳', '礼物', '拥抱', '强', '弱', '握手', '胜利', '抱拳', '勾引',
    '拳头', '差劲', '爱你', 'NO', 'OK'];

  // `<笑脸>`-style text faces (sent by phones as escaped text) -> emoji code point.
  var TEXT_FACES = {
    '笑脸': '1f604', '开心': '1f60a', '大笑': '1f603', '热情': '263a', '眨眼': '1f609', '色': '1f60d',
    '接吻': '1f618', '亲吻': '1f61a', '脸红': '1f633', '露齿笑': '1f601', '满意': '1f60c',
    '戏弄': '1f61c', '吐舌': '1f61d', '无语': '1f612', '得意': '1f60f', '汗': '1f613', '失望': '1f614',
    '低落': '1f61e', '呸': '1f616', '焦虑': '1f625', '担心': '1f630', '震惊': '1f628', '悔恨': '1f623',
    '眼泪': '1f622', '哭': '1f62d', '破涕为笑': '1f602', '晕': '1f632', '恐惧': '1f631', '心烦': '1f620',
    '生气': '1f621', '睡觉': '1f62a', '生病': '1f637', '恶魔': '1f47f', '外星人': '1f47d',
    '心': '2764', '心碎': '1f494', '强': '1f44d', '弱': '1f44e', 'OK': '1f44c', '拳头': '1f44a',
    '胜利': '270c', '鼓掌': '1f44b', '合十': '1f64f', '肌肉': '1f4aa', '火': '1f525', '庆祝': '1f389',
    '玫瑰': '1f339', '太阳': '2600', '月亮': '1f319'
  };

  var QQ_FACE_MAP = {};
  QQ_FACE_LIST.forEach(function (name, i) {
    QQ_FACE_MAP['[' + name + ']'] = i;
  });
  angular.forEach(TEXT_FACES, function (code, name) {
    QQ_FACE_MAP['<' + name + '>'] = code;
  });

  function reEscape(s) {
    return s.replace(/[\-\[\]\/{}()*+?.\\\^$|]/g, '\\$&');
  }

  var QQ_FACE_RE = new RegExp('\\[(' + QQ_FACE_LIST.map(reEscape).join('|') + ')\\]', 'g');
  var TEXT_FACE_RE = new RegExp('&lt;(' + Object.keys(TEXT_FACES).map(reEscape).join('|') +
    ')&gt;', 'g');

  var EMOJI_CODE_CONV = {};
  angular.forEach(EMOJI_CODE_MAP, function (pua, code) {
    EMOJI_CODE_CONV[code] = pua;
    EMOJI_CODE_CONV[pua] = code;
  });

  // `<笑脸>` typed as text -> its PUA character (what the phone shows as that emoji).
  function textFaceToPua(text) {
    return String(text || '').replace(/<([^<>]{1,4})>/g, function (all, name) {
      var code = TEXT_FACES[name];
      return code && EMOJI_CODE_MAP[code] ? EMOJI_CODE_MAP[code] : all;
    });
  }

  angular.module('Services').factory('emojiFactory', ['confFactory', 'utilFactory',
    function (confFactory, utilFactory) {
      var spacer = confFactory.RES_IMG_PLACEHOLDER;

      function emojiImg(code) {
        return '<img class="emoji emoji' + code + '" text="' + (EMOJI_CODE_MAP[code] || '') +
          '_web" src="' + spacer + '" />';
      }

      var emoji = {
        QQFaceList: QQ_FACE_LIST,
        QQFaceMap: QQ_FACE_MAP,
        EmojiCodeMap: EMOJI_CODE_MAP,
        EmojiList: Object.keys(EMOJI_CODE_MAP),
        // Emoji code point -> PUA character, and back (the phone sends either form).
        EmojiCodeConv: EMOJI_CODE_CONV,
        // The Tuzki stickers the page offers; none in this twin's panel.
        TuzkiList: [],
        Tuzki2Md5: {},
        md52Tuzki: {},
        // The server sometimes drops the final '>' of the closing tag; accept both forms.
        transformSpanToImg: function (html) {
          return String(html == null ? '' : html).replace(
            /<span class="emoji emoji([0-9a-f]+)"><\/span>?/g,
            function (all, code) {
              return emojiImg(code);
            });
        },
        emoticonFormat: function (text) {
          var out = String(text == null ? '' : text).replace(QQ_FACE_RE, function (all, name) {
            return '<img class="qqemoji qqemoji' + QQ_FACE_MAP[all] + '" text="' + all +
              '_web" src="' + spacer + '" />';
          }).replace(TEXT_FACE_RE, function (all, name) {
            return emojiImg(TEXT_FACES[name]);
          });
          return emoji.transformSpanToImg(out);
        },
        // Editor HTML -> the text sent: emoji images become their text, and a `<笑脸>` typed as
        // text becomes its PUA character.
        formatHTMLToSend: function (html) {
          var s = String(html == null ? '' : html)
            .replace(/<img[^>]*?\btext="([^"]*?)_web"[^>]*>/gi, '$1')
            .replace(/<br\s*\/?>/gi, '\n');
          return textFaceToPua(utilFactory.htmlDecode(utilFactory.clearHtmlStr(s)));
        },
        getEmoticonById: function (id) {
          var i = Number(id);
          return QQ_FACE_LIST[i] === undefined ? null : {id: i, text: '[' + QQ_FACE_LIST[i] + ']'};
        },
        getEmoticonByText: function (text) {
          var id = QQ_FACE_MAP[text];
          return id === undefined ? null : {id: id, text: text};
        },
        getMd5ByTuzki: function (name) {
          return emoji.Tuzki2Md5[name] || '';
        },
        getTuzkiByMd5: function (md5) {
          return emoji.md52Tuzki[md5] || '';
        }
      };
      return emoji;
    }]);
})(window.angular);
